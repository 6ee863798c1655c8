"""Whether a user may read and write a file: the current one, or the service user that
`smsbox doctor --user smsbox` names (run as root, every check would pass otherwise)."""

from __future__ import annotations

import grp
import os
import pwd
import stat
from dataclasses import dataclass

READ, WRITE, SEARCH = 4, 2, 1


@dataclass(frozen=True)
class Account:
    name: str
    uid: int
    groups: frozenset[int]

    @property
    def is_root(self) -> bool:
        return self.uid == 0


class UnknownUser(ValueError):
    pass


def account(name: str | None = None) -> Account:
    """The user called `name`, or the one running this process."""
    if name is None:
        uid = os.geteuid()
        try:
            name = pwd.getpwuid(uid).pw_name
        except KeyError:
            name = str(uid)
        return Account(name, uid, frozenset({os.getegid(), *os.getgroups()}))
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        raise UnknownUser(f"no user {name!r} on this machine") from None
    return Account(name, entry.pw_uid, frozenset(os.getgrouplist(name, entry.pw_gid)))


def allows(path: str | os.PathLike[str], who: Account, wanted: int) -> bool:
    """Whether the permission bits of `path` give `who` every bit of `wanted` (READ,
    WRITE, SEARCH), as the kernel decides it: the owner's bits for the owner, else the
    group's for a member, else the others' (ACLs are not read)."""
    if who.is_root:
        return True
    info = os.stat(path)
    if info.st_uid == who.uid:
        bits = (info.st_mode & stat.S_IRWXU) >> 6
    elif info.st_gid in who.groups:
        bits = (info.st_mode & stat.S_IRWXG) >> 3
    else:
        bits = info.st_mode & stat.S_IRWXO
    return bits & wanted == wanted


def group_name(path: str | os.PathLike[str]) -> str:
    gid = os.stat(path).st_gid
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)
