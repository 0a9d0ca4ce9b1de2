#!/usr/bin/env bash
# The live status line of `kproof run` (src/util/progress.c). A quickstart-style failover run on the
# embedded cluster under a pseudo-terminal (tests/cli/pty_run.py) 80 columns wide: the terminal
# receives a status line redrawn in place ("\r" ... erase to end of line) with the suite, the
# check, acked/consumed rates and the fault in force (a line too wide in full made compact, the
# fault kept in view), never wider than 79 columns and at most about four redraws a second;
# replayed through a small terminal emulator, the screen holds only log lines, each starting at
# column 0, and no status line is left behind. After SIGINT the last status stays on a line of
# its own. With every broker down the stall shows as "no acks". The same run with stderr not a
# terminal, with -q, and with TERM=dumb prints no status line.
. "$(dirname "$0")/lib.sh"

PTY_RUN=$KPROOF_SRC/tests/cli/pty_run.py
scn=$T/progress.json
cat >"$scn" <<'EOF'
{
  "name": "progress",
  "suites": [
    {
      "suite": "failover",
      "workload": {"partitions": 3, "message_bytes": 200, "rate": 1000, "duration": "6s",
                   "drain_timeout": "20s"},
      "client": {"profile": "safe",
                 "producer": {"reconnect.backoff.max.ms": 500},
                 "consumer": {"reconnect.backoff.max.ms": 500}},
      "faults": [{"at": "2s", "action": "kill_leader", "partition": 0, "heal_after": "2s"}],
      "options": {"final_read_timeout": "20s", "healthy_timeout": "30s"},
      "gates": {"max_lost_acked": 0, "max_duplicates": 0}
    }
  ]
}
EOF
tgt=$KPROOF_SRC/targets/embedded.json

# check_tty TTY_FILE MODE: MODE "done" (a finished run), "sigint" (interrupted), "none" (no line)
check_tty() {
	python3 - "$1" "$2" "$3" <<'PY'
import re, sys
raw = open(sys.argv[1], "rb").read().decode("utf-8", "replace")
mode, secs = sys.argv[2], float(sys.argv[3])
LOG = re.compile(r"^\d\d:\d\d:\d\d\.\d{3} kproof (info|warn|error|debug): ")
STATUS = re.compile(r"^(\[failover \d+:\d\d\]  |failover\.faults \d+:\d\d  )")

def screen(text):
    """What a terminal shows: \r returns to column 0, ESC[K erases to the end of the line."""
    lines, cur, col, i = [], [], 0, 0
    while i < len(text):
        if text.startswith("\x1b[K", i):
            del cur[col:]
            i += 3
            continue
        c = text[i]
        if c == "\r":
            col = 0
        elif c == "\n":
            lines.append("".join(cur))
            cur, col = [], 0
        else:
            if col < len(cur):
                cur[col] = c
            else:
                cur.append(c)
            col += 1
        i += 1
    if cur:
        lines.append("".join(cur))
    return lines

# every drawn status line: what follows a "\r" up to its erase-to-end-of-line
draws = [m.group(1) for m in re.finditer(r"\r([^\r\n\x1b]+)\x1b\[K", raw)]
fails = []
def want(cond, what):
    if not cond:
        fails.append(what)

if mode == "none":
    want("\x1b[K" not in raw, "no erase-line sequence")
    want(not draws, "no status line drawn (%d)" % len(draws))
    want(not re.search(r"acked \S+/s", raw), "no rate")
else:
    want(len(draws) >= 4, "status lines drawn (%d)" % len(draws))
    want(all(STATUS.match(d) for d in draws), "every status line starts with the suite or check")
    want(any(d.startswith("[failover ") and "failover.faults " in d for d in draws),
         "a status line names the suite and the check")
    want(any(re.search(r"acked \d+(\.\d+)?[kM]?/s  consumed \d+(\.\d+)?[kM]?/s", d) for d in draws),
         "a status line shows acked and consumed rates")
    want(any(d.startswith("failover.faults ") and "fault: kill_leader p0: broker " in d
             for d in draws), "a line too wide in full is compact, the fault in view")
    want(all(len(d) <= 79 for d in draws),
         "no status line wider than 79 columns (widest %d)" % max(len(d) for d in draws))
    want(any(d.endswith("~") for d in draws), "a line still too wide is cut with ~")
    # unchanged lines are not redrawn; at most four draws a second
    want(len(draws) <= 4.5 * secs + 4, "%d draws in %.1f s" % (len(draws), secs))
    lines = [l for l in screen(raw) if l.strip()]
    # "ERROR: ..." is cmocka's own line for a check that did not pass
    stray = [l for l in lines if not (LOG.match(l) or l.startswith("/") or l.startswith("ERROR: "))]
    if mode == "done":
        want(not stray, "the screen holds only log lines, each from column 0: %r" % stray[:3])
    else:
        # the status drawn when the signal came stays on a line of its own (unless a log line
        # had just erased it: then none is drawn again)
        want(len(stray) <= 1 and all(STATUS.match(l) for l in stray),
             "after SIGINT at most the last status stays, on a line of its own: %r" % stray[:3])
        idx = lines.index(stray[0]) if stray else -1
        want(idx < len(lines) - 1 and (idx < 0 or LOG.match(lines[idx + 1])),
             "log lines follow the kept status line")
        print("  (the status line was %s)" % ("kept" if stray else "erased by a log line first"))
for f in fails:
    print("  " + f)
sys.exit(1 if fails else 0)
PY
}

# 1. On a terminal.
s0=$(date +%s.%N)
TERM=xterm python3 "$PTY_RUN" --cols 80 "$T/tty1" "$T/out1" -- \
	"$KPROOF" run "$scn" --target "$tgt" --out "$T/run1"
rc=$?
secs=$(python3 -c "import sys,time; print(time.time() - float(sys.argv[1]))" "$s0")
check "the run on a terminal exits 0 (got $rc)" test "$rc" -eq 0
check "its last line of stdout is the run directory" test "$(tail -n 1 "$T/out1")" = "$T/run1"
check "on a terminal: a status line redrawn in place (suite, check, rates, fault), within the width" \
	check_tty "$T/tty1" done "$secs"
check "the summary line is printed as before" grep -q "1 checks: 1 pass" "$T/tty1"

# 2. stderr not a terminal: nothing of the status line.
TERM=xterm "$KPROOF" run "$scn" --target "$tgt" --out "$T/run2" >"$T/out2" 2>"$T/err2"
rc=$?
check "the run without a terminal exits 0 (got $rc)" test "$rc" -eq 0
check "stderr not a terminal: no status line" check_tty "$T/err2" none 0
check "stderr not a terminal: the log as before" grep -q "1 checks: 1 pass" "$T/err2"

# 3. -q on a terminal, and TERM=dumb on a terminal: no status line.
TERM=xterm python3 "$PTY_RUN" --cols 80 "$T/tty3" "$T/out3" -- \
	"$KPROOF" run -q "$scn" --target "$tgt" --out "$T/run3"
rc=$?
check "the -q run exits 0 (got $rc)" test "$rc" -eq 0
check "-q on a terminal: no status line" check_tty "$T/tty3" none 0
TERM=dumb python3 "$PTY_RUN" --cols 80 "$T/tty4" "$T/out4" -- \
	"$KPROOF" run "$scn" --target "$tgt" --out "$T/run4"
rc=$?
check "the TERM=dumb run exits 0 (got $rc)" test "$rc" -eq 0
check "TERM=dumb: no status line" check_tty "$T/tty4" none 0

# 4. Every broker down for 3 s: the acknowledgements stop while the workload produces ("no acks"),
# the faults in force are counted.
alldown=$T/alldown.json
python3 - "$scn" "$alldown" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s = d["suites"][0]
s["workload"]["duration"] = "8s"
s["faults"] = [{"at": "2s", "action": "kill_broker", "broker": b, "heal_after": "3s"} for b in (1, 2, 3)]
s["gates"] = {}
json.dump(d, open(sys.argv[2], "w"))
PY
TERM=xterm python3 "$PTY_RUN" --cols 200 "$T/tty6" "$T/out6" -- \
	"$KPROOF" run "$alldown" --target "$tgt" --out "$T/run6"
rc=$?
# (its verdict depends on how fast the three heals, one after the other, recover: 0 or 1)
check "the every-broker-down run ends with a verdict, 0 or 1 (got $rc)" test "$rc" -le 1
check "with every broker down: three faults in force on the status line" \
	grep -qa "fault: kill_broker: broker 3, +2 more (" "$T/tty6"
check "with every broker down: the acknowledgement stall is shown (no acks N s)" \
	grep -qaE "acked 0/s  consumed 0/s  fault: [^$(printf '\r')]*  no acks [1-9]\.[0-9] s" "$T/tty6"

# 5. SIGINT once the fault is on the status line: the line stays, ended with a newline.
s0=$(date +%s.%N)
TERM=xterm python3 "$PTY_RUN" --cols 80 --sigint-on "fault: kill_leader" "$T/tty5" "$T/out5" -- \
	"$KPROOF" run "$scn" --target "$tgt" --out "$T/run5"
rc=$?
secs=$(python3 -c "import sys,time; print(time.time() - float(sys.argv[1]))" "$s0")
check "the interrupted run exits 3 (got $rc)" test "$rc" -eq 3
check "after SIGINT the status line is ended with a newline (or was erased), the log goes on below it" \
	check_tty "$T/tty5" sigint "$secs"
finish
