"""The import pages' upload form (every importer)."""

from __future__ import annotations

from django import forms
from django.conf import settings


class ImportUploadForm(forms.Form):
    file = forms.FileField(label="CSV file", allow_empty_file=True)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.CSV_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {upload.size / 1_048_576:.1f} MB; the limit is "
                f"{limit / 1_048_576:.0f} MB. Split it into smaller files."
            )
        return upload
