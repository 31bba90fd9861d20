from django import forms


class MultilineTextField(forms.CharField):
    """A text field that stores line breaks as "\\n".

    Browsers submit textarea line breaks as "\\r\\n" (HTML spec, form submission), so without
    this a save through the admin rewrites every multi-line text and marks it as changed.
    """

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n") if value else value
