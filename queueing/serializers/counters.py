"""A counter as the counter API answers it."""

from rest_framework import serializers

from ..models import Counter


class CounterSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    is_open = serializers.BooleanField()
    teller = serializers.CharField(source="teller.get_username", allow_null=True, default=None)
    services = serializers.SerializerMethodField()

    def get_services(self, counter: Counter) -> list[str]:
        return sorted(service.prefix for service in counter.services.all())
