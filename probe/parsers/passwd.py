"""/etc/passwd and /etc/login.defs: whose home directories a root run must search.

Installers run as root, but browsers keep their CDMs in their users' homes; the real
users are the accounts from UID_MIN up, except `nobody`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_UID_MIN = 1000
NOBODY = 65534


@dataclass(frozen=True)
class Account:
    uid: int
    home: str
    name: str


def parse_passwd(text: str) -> list[Account]:
    """Accounts with a numeric uid and an absolute home; malformed lines are skipped,
    as getpwent skips them."""
    accounts = []
    for line in text.splitlines():
        fields = line.split(":")
        if len(fields) < 7 or line.startswith(("#", "+", "-")):
            continue
        if fields[2].isdigit() and fields[5].startswith("/"):
            accounts.append(Account(int(fields[2]), fields[5].rstrip("/") or "/", fields[0]))
    return accounts


def uid_min(login_defs: str | None) -> int:
    match = re.search(r"^\s*UID_MIN\s+(\d+)", login_defs or "", re.MULTILINE)
    return int(match.group(1)) if match else DEFAULT_UID_MIN


def real_users(accounts: list[Account], minimum: int) -> list[Account]:
    """Root and the human accounts, by uid; system accounts and nobody are left out."""
    users = [
        a
        for a in accounts
        if (a.uid == 0 or minimum <= a.uid != NOBODY) and a.home not in ("/", "/nonexistent")
    ]
    return sorted({a.uid: a for a in reversed(users)}.values(), key=lambda a: a.uid)
