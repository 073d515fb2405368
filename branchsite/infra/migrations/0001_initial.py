# IdempotencyKey and RateLimitWindow were made by queueing (its migrations 0001 and 0004) and
# keep their tables: they enter this app's state only. The audit trail is new.

import django.core.serializers.json
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('queueing', '0005_idempotency_key_per_caller'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='IdempotencyKey',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('scope', models.CharField(max_length=64)),
                        ('caller', models.CharField(default='', max_length=64)),
                        ('key', models.CharField(max_length=255)),
                        ('request_fingerprint', models.CharField(max_length=64)),
                        ('response_status', models.PositiveSmallIntegerField(null=True)),
                        ('response_body', models.JSONField(null=True)),
                        ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                    ],
                    options={
                        'db_table': 'queueing_idempotencykey',
                        'constraints': [models.UniqueConstraint(fields=('scope', 'caller', 'key'), name='one_answer_per_key_and_caller')],
                    },
                ),
                migrations.CreateModel(
                    name='RateLimitWindow',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('scope', models.CharField(max_length=32)),
                        ('key', models.CharField(max_length=64)),
                        ('window_start', models.DateTimeField()),
                        ('used', models.PositiveIntegerField()),
                    ],
                    options={
                        'db_table': 'queueing_ratelimitwindow',
                        'indexes': [models.Index(fields=['window_start'], name='rate_limit_window_idx')],
                        'constraints': [models.UniqueConstraint(fields=('scope', 'key', 'window_start'), name='one_count_per_key_window')],
                    },
                ),
            ],
        ),
        migrations.CreateModel(
            name='AuditEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='at')),
                ('action', models.CharField(max_length=64, verbose_name='action')),
                ('actor_name', models.CharField(blank=True, max_length=150, verbose_name='staff user name')),
                ('device', models.CharField(blank=True, max_length=120, verbose_name='device')),
                ('address', models.GenericIPAddressField(blank=True, null=True, verbose_name='client address')),
                ('branch', models.CharField(blank=True, max_length=16, verbose_name='branch')),
                ('subject_id', models.CharField(max_length=64, verbose_name='record')),
                ('subject', models.CharField(max_length=200, verbose_name='subject')),
                ('before', models.JSONField(blank=True, encoder=django.core.serializers.json.DjangoJSONEncoder, null=True, verbose_name='before')),
                ('after', models.JSONField(blank=True, encoder=django.core.serializers.json.DjangoJSONEncoder, null=True, verbose_name='after')),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='staff user')),
                ('subject_type', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='contenttypes.contenttype', verbose_name='kind')),
            ],
            options={
                'verbose_name': 'audit entry',
                'verbose_name_plural': 'audit trail',
                'ordering': ['-at', '-pk'],
                'indexes': [models.Index(fields=['branch', 'at'], name='audit_branch_at_idx'), models.Index(fields=['subject_type', 'subject_id'], name='audit_subject_idx'), models.Index(fields=['at'], name='audit_at_idx')],
            },
        ),
    ]
