"""The forms of claim batches: the clearinghouse to send through, the accounts to bill, an acknowledgment file."""

from __future__ import annotations

from django import forms

ACK_MAX_BYTES = 5 * 1_048_576  # a 277CA for thousands of claims is well under this


def clearinghouse_label(house, account_name: str | None = None) -> str:
    usage = "test" if house.usage == "T" else "production"
    where = f" in {account_name}" if account_name else ""
    return f"{house.name}{where} (submitter ID {house.submitter_id}, {usage})"


class BatchNewForm(forms.Form):
    """Create claim batch in one account: which of its clearinghouses sends it."""

    clearinghouse = forms.TypedChoiceField(coerce=int, label="Clearinghouse",
                                           error_messages={"invalid_choice": "Choose one of the clearinghouses listed."})

    def __init__(self, *args, clearinghouses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clearinghouse"].choices = [(h.pk, clearinghouse_label(h)) for h in clearinghouses]


class ClaimsAllForm(forms.Form):
    """Claims in all my accounts: the accounts to bill and the clearinghouse (of any account the
    username may bill) that sends the batch."""

    accounts = forms.MultipleChoiceField(
        label="Accounts", widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one account.",
                        "invalid_choice": "Choose among the accounts listed."})
    clearinghouse = forms.TypedChoiceField(coerce=int, label="Send through",
                                           error_messages={"invalid_choice": "Choose one of the clearinghouses listed."})

    def __init__(self, *args, accounts=(), clearinghouses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accounts"].choices = [(a.slug, a.name) for a in accounts]
        names = {a.pk: a.name for a in accounts}
        self.fields["clearinghouse"].choices = [(h.pk, clearinghouse_label(h, names.get(h.account_id)))
                                                for h in clearinghouses]


class AckUploadForm(forms.Form):
    file = forms.FileField(label="Acknowledgment file (999 or 277CA)")

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > ACK_MAX_BYTES:
            raise forms.ValidationError(f"The file is {upload.size / 1_048_576:.1f} MB; an acknowledgment is "
                                        f"at most {ACK_MAX_BYTES // 1_048_576} MB.")
        data = upload.read()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise forms.ValidationError("This is not a text file: a 999 or 277CA file is plain text.") from None
        if "\x00" in text or not text.strip():
            raise forms.ValidationError("This is not a 999 or 277CA file (it is empty or not plain text).")
        return text
