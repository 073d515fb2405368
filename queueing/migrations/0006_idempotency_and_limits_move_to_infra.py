# IdempotencyKey and RateLimitWindow now belong to branchsite.infra (its migration 0001), which
# keeps their tables: this only takes them out of queueing's state.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('queueing', '0005_idempotency_key_per_caller'),
        ('infra', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='IdempotencyKey'),
                migrations.DeleteModel(name='RateLimitWindow'),
            ],
        ),
    ]
