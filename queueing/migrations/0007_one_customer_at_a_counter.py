# A counter holds one customer at a time. Before this constraint, calling the next ticket at a
# counter that already had one called made a second one "called" (and hid the first from the
# counter page). Such extra customers go back to the front of their queue, as the next to call,
# with a line in their history saying why, before the constraint is added.

from django.db import migrations, models
from django.db.models import Count


def return_extra_customers_to_their_queue(apps, schema_editor):
    Ticket = apps.get_model("queueing", "Ticket")
    TicketEvent = apps.get_model("queueing", "TicketEvent")
    at_counter = ["called", "serving"]
    crowded = (
        Ticket.objects.filter(status__in=at_counter, counter__isnull=False)
        .values("counter")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("counter", flat=True)
    )
    for counter_id in list(crowded):
        tickets = list(
            Ticket.objects.filter(counter_id=counter_id, status__in=at_counter).order_by(
                "-status", "-called_at", "-pk"  # "serving" sorts after "called": keep it
            )
        )
        for extra in tickets[1:]:
            TicketEvent.objects.create(
                ticket=extra,
                action="called",
                from_status=extra.status,
                to_status="waiting",
                note="back in the queue: a second customer at one counter",
            )
            Ticket.objects.filter(pk=extra.pk).update(status="waiting", counter=None)


class Migration(migrations.Migration):

    dependencies = [
        ('queueing', '0006_idempotency_and_limits_move_to_infra'),
    ]

    operations = [
        migrations.RunPython(return_extra_customers_to_their_queue, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='ticket',
            constraint=models.UniqueConstraint(condition=models.Q(('status__in', ['called', 'serving'])), fields=('counter',), name='one_customer_at_a_counter'),
        ),
    ]
