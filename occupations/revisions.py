"""What django-reversion records: a profile's revision holds all of its rows (from the
registry), so a revert restores the children too."""

import reversion
from django.contrib.auth.models import AbstractBaseUser

from . import models
from .registry import COLLECTIONS, NESTED_MODELS, VOCABULARY_KINDS

OCCUPATION_CHILDREN = [collection.related_name for collection in COLLECTIONS]

reversion.register(models.Occupation, follow=OCCUPATION_CHILDREN)
for _collection in COLLECTIONS:
    reversion.register(
        _collection.model, follow=[_collection.nested.key] if _collection.nested else []
    )
for _nested in NESTED_MODELS:
    reversion.register(_nested)
for _kind in VOCABULARY_KINDS:
    reversion.register(_kind.model)


def record_revision(*, occupation: models.Occupation, user: AbstractBaseUser | None, comment):
    """Add the profile (and, following the registry, all of its rows) to a revision by
    `user`; joins the revision already open (e.g. the admin's), else opens its own."""
    with reversion.create_revision():
        reversion.add_to_revision(occupation)
        if user is not None and user.is_authenticated:
            reversion.set_user(user)
        reversion.set_comment(comment)
