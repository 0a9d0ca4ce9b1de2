#!/usr/bin/env python3
"""Runs a command with stdin and stderr on a pseudo-terminal (stdout to a file), as a user's
terminal would, and saves every byte the terminal received.

usage: pty_run.py [--cols N] [--sigint-on TEXT] TTY_OUT STDOUT_FILE -- COMMAND...

--cols sets the terminal's width (TIOCSWINSZ) before the command starts; --sigint-on sends
SIGINT to the command once TEXT has appeared on the terminal. Exits with the command's exit
status (128 + signal when it died of one).
"""
import argparse
import errno
import fcntl
import os
import signal
import struct
import subprocess
import sys
import termios
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cols", type=int, default=100)
    ap.add_argument("--sigint-on")
    ap.add_argument("tty_out")
    ap.add_argument("stdout_file")
    ap.add_argument("command", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.command[1:] if a.command and a.command[0] == "--" else a.command
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, a.cols, 0, 0))
    with open(a.stdout_file, "wb") as out:
        p = subprocess.Popen(cmd, stdin=slave, stdout=out, stderr=slave)
    os.close(slave)
    data = bytearray()
    sent = False
    t0 = time.monotonic()
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError as e:  # EIO: every end of the terminal's slave side is closed
            if e.errno != errno.EIO:
                raise
            break
        if not chunk:
            break
        data += chunk
        if a.sigint_on and not sent and a.sigint_on.encode() in data:
            p.send_signal(signal.SIGINT)
            sent = True
    rc = p.wait()
    with open(a.tty_out, "wb") as f:
        f.write(bytes(data))
    sys.stderr.write("pty_run: %.1f s, %d bytes on the terminal%s\n" %
                     (time.monotonic() - t0, len(data), ", SIGINT sent" if sent else ""))
    sys.exit(128 - rc if rc < 0 else rc)


if __name__ == "__main__":
    main()
