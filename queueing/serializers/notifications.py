"""Opting in to text messages, and what the SMS gateway sends back."""

from rest_framework import serializers

from .fields import PhoneField


class NotificationOptInSerializer(serializers.Serializer):
    phone = PhoneField(help_text="Mobile number to text when the ticket is near the front")


class InboundReplySerializer(serializers.Serializer):
    """A customer's reply, as the SMS gateway forwards it."""

    phone = serializers.CharField(
        max_length=32, trim_whitespace=False, help_text="The number the reply came from"
    )
    text = serializers.CharField(
        max_length=1600,
        allow_blank=True,
        trim_whitespace=False,
        help_text="The reply; TD, STOP or 退订 stops every message to the number",
    )


class InboundReplyAnswerSerializer(serializers.Serializer):
    stopped = serializers.IntegerField(
        help_text="Subscriptions of the number ended (tickets and appointment reminders)"
    )
