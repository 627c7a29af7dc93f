"""Kubernetes label syntax, and how an edge's free-form tags become labels. Pure.

Fleet tools select edges by the labels of their GitOps objects (Argo CD ApplicationSet progressive syncs,
Rancher Fleet, OCM), so an EdgeLocation's `metadata.labels` must be well-formed Kubernetes labels (checked at
validate time) and each of its `spec.tags` becomes the label `tag.edgec.dev/<tag>: "true"`. A tag that is not a
valid label name (tags are free-form, as in Wallaroo) is spelled as one: runs of other characters become `-`,
and a short hash of the tag keeps distinct tags distinct (`west coast` -> `tag.edgec.dev/west-coast-1b4a9c0e`).
"""

from __future__ import annotations

import hashlib
import re

#: Label keys under this prefix are edgec's own; a spec cannot set them.
RESERVED_PREFIX = "edgec.dev/"
#: Prefix of the label keys that carry tags.
TAG_PREFIX = "tag.edgec.dev/"
MAX_NAME = 63
MAX_PREFIX = 253

_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_NOT_NAME = re.compile(r"[^-A-Za-z0-9_.]+")


def key_problem(key: str) -> str | None:
    """Why `key` is not a Kubernetes label key (`[prefix/]name`), or None."""
    prefix, slash, name = key.rpartition("/")
    if slash and (not prefix or len(prefix) > MAX_PREFIX or not _DNS_SUBDOMAIN.match(prefix)):
        return "its prefix must be a DNS subdomain (lowercase letters, digits, '-' and '.') of at most 253 characters"
    if not name or len(name) > MAX_NAME or not _NAME.match(name):
        return ("its name must be at most 63 characters: letters, digits, '-', '_' and '.', starting and ending "
                "with a letter or digit")
    return None


def value_problem(value: str) -> str | None:
    """Why `value` is not a Kubernetes label value (empty, or a label name), or None."""
    if value and (len(value) > MAX_NAME or not _NAME.match(value)):
        return ("a label value must be empty or at most 63 characters: letters, digits, '-', '_' and '.', "
                "starting and ending with a letter or digit")
    return None


def is_reserved(key: str) -> bool:
    prefix = key.rpartition("/")[0]
    return prefix == RESERVED_PREFIX.rstrip("/") or prefix.endswith("." + RESERVED_PREFIX.rstrip("/"))


def tag_label_name(tag: str) -> str:
    """The label name of a tag: the tag itself when it is one, else a spelling of it with a hash suffix."""
    if len(tag) <= MAX_NAME and _NAME.match(tag):
        return tag
    digest = hashlib.sha256(tag.encode("utf-8")).hexdigest()[:8]
    stem = _NOT_NAME.sub("-", tag).strip("-_.")[: MAX_NAME - len(digest) - 1].rstrip("-_.")
    return f"{stem}-{digest}" if stem else digest


def tag_label_key(tag: str) -> str:
    return TAG_PREFIX + tag_label_name(tag)
