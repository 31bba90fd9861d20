"""What an import did (or, in a dry run, would do), counted and listed for the summary."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

EXAMPLES_PER_REASON = 3


@dataclass
class Report:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rows_created: int = 0
    rows_updated: int = 0
    kept_editor_values: list = field(default_factory=list)  # (code, what)
    gone: list = field(default_factory=list)  # (code, what)
    skipped_reasons: Counter = field(default_factory=Counter)
    skipped_examples: dict = field(default_factory=lambda: defaultdict(list))
    notes: list = field(default_factory=list)

    def kept(self, code, what):
        self.kept_editor_values.append((code, what))

    def skipped(self, reason, example=None):
        self.skipped_reasons[reason] += 1
        examples = self.skipped_examples[reason]
        if example is not None and len(examples) < EXAMPLES_PER_REASON:
            examples.append(example)

    def gone_row(self, code, what):
        self.gone.append((code, what))

    @property
    def changed(self):
        return self.created + self.updated

    def counts(self):
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "kept_editor_value": len(self.kept_editor_values),
            "skipped": sum(self.skipped_reasons.values()),
            "rows_created": self.rows_created,
            "rows_updated": self.rows_updated,
            "gone_from_release": len(self.gone),
        }

    def text(self):
        counts = self.counts()
        lines = [
            f"profiles: {counts['created']} created, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged",
            f"rows: {counts['rows_created']} created, {counts['rows_updated']} updated",
            f"kept editor's value: {counts['kept_editor_value']}",
        ]
        lines += [f"  {code} {what}" for code, what in self.kept_editor_values]
        lines.append(f"skipped: {counts['skipped']}")
        for reason, count in sorted(self.skipped_reasons.items()):
            examples = self.skipped_examples.get(reason)
            suffix = f" (e.g. {', '.join(examples)})" if examples else ""
            lines.append(f"  {count} × {reason}{suffix}")
        if self.gone:
            lines.append(f"no longer in the release (left on the profile): {len(self.gone)}")
            lines += [f"  {code} {what}" for code, what in self.gone]
        lines += self.notes
        return "\n".join(lines)
