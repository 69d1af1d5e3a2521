"""Drop indexes that other indexes already cover, and the LIKE-pattern copies of indexes
only ever used for equality.

Each index is written for every row an import adds (1.5 million items for a million
records); these six served no query the others do not:

* item.bib_id — item_bib_status_idx (bib_id, status) begins with it;
* item.library_id — item_barcode_unique (library_id, barcode) begins with it;
* bibisbn.bib_id — bib_isbn_unique (bib_id, isbn13); contributor.bib_id —
  contributor_position_unique (bib_id, position);
* the PostgreSQL ``varchar_pattern_ops`` copies Django adds to indexed text fields
  (bib.ndc, bibisbn.isbn13, item.status): matched by equality only. Plain indexes
  bib_ndc_idx, bib_isbn13_idx and item_status_idx replace the field indexes.

The foreign keys themselves stay (Django drops and re-adds their constraints here).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0002_bib_japan_marc_fields"),
        ("organisation", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="bib",
            name="ndc",
            field=models.CharField(blank=True, max_length=20, verbose_name="NDC class"),
        ),
        migrations.AlterField(
            model_name="bibisbn",
            name="bib",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="isbns",
                to="catalogue.bib",
            ),
        ),
        migrations.AlterField(
            model_name="bibisbn",
            name="isbn13",
            field=models.CharField(max_length=13),
        ),
        migrations.AlterField(
            model_name="contributor",
            name="bib",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="contributors",
                to="catalogue.bib",
            ),
        ),
        migrations.AlterField(
            model_name="item",
            name="bib",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="items",
                to="catalogue.bib",
            ),
        ),
        migrations.AlterField(
            model_name="item",
            name="library",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="items",
                to="organisation.library",
            ),
        ),
        migrations.AlterField(
            model_name="item",
            name="status",
            field=models.CharField(
                choices=[
                    ("available", "available"),
                    ("on_loan", "on loan"),
                    ("in_transit", "in transit"),
                    ("on_hold_shelf", "on the hold shelf"),
                    ("missing", "missing"),
                    ("withdrawn", "withdrawn"),
                    ("in_repair", "in repair"),
                ],
                default="available",
                max_length=16,
            ),
        ),
        migrations.AddIndex(
            model_name="bib",
            index=models.Index(fields=["ndc"], name="bib_ndc_idx"),
        ),
        migrations.AddIndex(
            model_name="bibisbn",
            index=models.Index(fields=["isbn13"], name="bib_isbn13_idx"),
        ),
        migrations.AddIndex(
            model_name="item",
            index=models.Index(fields=["status"], name="item_status_idx"),
        ),
    ]
