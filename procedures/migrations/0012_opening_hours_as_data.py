"""Opening hours as data: the weekly opening times and the dated exceptions of a clinic
location (the text they replace is read into them by the next migration)."""

import django.db.models.deletion
import modelcluster.fields
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('procedures', '0011_reviewers_lock_treatments'),
    ]

    operations = [
        migrations.CreateModel(
            name='OpeningHoursException',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('label', models.CharField(blank=True, help_text='Optional; patients see it, e.g. "Christmas".', max_length=80)),
                ('first_day', models.DateField(verbose_name='from')),
                ('last_day', models.DateField(blank=True, help_text='Empty for one day.', null=True, verbose_name='until')),
                ('opens', models.TimeField(blank=True, help_text='Leave both times empty when closed all day.', null=True)),
                ('closes', models.TimeField(blank=True, null=True)),
                ('location', modelcluster.fields.ParentalKey(on_delete=django.db.models.deletion.CASCADE, related_name='opening_exceptions', to='procedures.cliniclocation')),
            ],
            options={
                'verbose_name': 'change to the usual hours',
                'verbose_name_plural': 'changes to the usual hours',
                'ordering': ['first_day'],
            },
        ),
        migrations.CreateModel(
            name='OpeningTime',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('weekday', models.PositiveSmallIntegerField(choices=[(1, 'Monday'), (2, 'Tuesday'), (3, 'Wednesday'), (4, 'Thursday'), (5, 'Friday'), (6, 'Saturday'), (7, 'Sunday')], verbose_name='day')),
                ('opens', models.TimeField(help_text='24-hour clock, e.g. 09:00.')),
                ('closes', models.TimeField(help_text='24-hour clock, e.g. 17:00.')),
                ('location', modelcluster.fields.ParentalKey(on_delete=django.db.models.deletion.CASCADE, related_name='opening_times', to='procedures.cliniclocation')),
            ],
            options={
                'verbose_name': 'opening time',
                'ordering': ['weekday', 'opens'],
            },
        ),
    ]
