"""What Linux says about a process in /proc: the CPU time it has used, its peak resident
memory, its children, and its command line.

CPU time is the process's user plus system time (fields 14 and 15 of /proc/<pid>/stat), for
all of its threads together, in clock ticks (100 a second on Linux): a gthread worker's
threads are all counted. It leaves out the time the process waited for a core, so it does
not grow when the machine is busy with something else, as the clock does.
"""

import os
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PROC = Path("/proc")


def cpu_seconds(pid):
    """The CPU time the process has used so far (user + system, all threads), in seconds."""
    stat = (PROC / str(pid) / "stat").read_text()
    # The command name (field 2) is in parentheses and may hold spaces or ")": count the
    # fields from after its last ")". The first of them is field 3, the state.
    fields = stat[stat.rindex(")") + 2 :].split()
    user, system = int(fields[14 - 3]), int(fields[15 - 3])
    return (user + system) / CLOCK_TICKS


def cpu_of(pids):
    """{pid: CPU seconds} of the processes still running among `pids`."""
    found = {}
    for pid in pids:
        try:
            found[pid] = cpu_seconds(pid)
        except (OSError, ValueError):  # it ended meanwhile
            continue
    return found


def used_since(before, after):
    """CPU seconds used between two cpu_of() readings: by the processes in both, what they
    used meanwhile; by those only in `after` (started meanwhile), all they used."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def vm_hwm_kb(pid):
    """A process's peak resident set size ("high water mark"), in kB."""
    for line in (PROC / str(pid) / "status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmHWM for process {pid}")


def pids():
    return [int(entry.name) for entry in PROC.iterdir() if entry.name.isdigit()]


def children(parent):
    """The pids of the processes whose parent is `parent`."""
    found = []
    for pid in pids():
        try:
            stat = (PROC / str(pid) / "stat").read_text()
        except OSError:  # the process ended meanwhile
            continue
        if int(stat[stat.rindex(")") + 2 :].split()[4 - 3]) == parent:
            found.append(pid)
    return found


def command_line(pid):
    """The process's command line as one string ("" for a kernel thread or a process gone)."""
    try:
        raw = (PROC / str(pid) / "cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode(errors="replace").strip()


def postgres_backends(database):
    """The pids of the PostgreSQL server processes serving connections to `database` (their
    title reads "postgres: … <user> <database> <address> <state>"), when the server runs on
    this machine."""
    lines = {pid: command_line(pid) for pid in pids()}
    return [
        pid
        for pid, line in lines.items()
        if line.startswith("postgres:") and f" {database} " in f" {line} "
    ]


def redis_servers():
    """The pids of the Redis servers running on this machine."""
    return [pid for pid in pids() if command_line(pid).split(" ", 1)[0].endswith("redis-server")]
