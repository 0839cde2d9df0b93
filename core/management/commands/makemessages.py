"""`makemessages` without fuzzy matching: a new text gets an empty translation, never a guess
borrowed from a similar one that a reader would then see in the wrong place."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
