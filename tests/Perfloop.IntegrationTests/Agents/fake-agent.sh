#!/bin/sh
# A stand-in for an AI coding agent, for the tests: it reads the prompt Perfloop wrote, finds the target named in
# it, and edits the code the way that target's scenario needs. It also checks that the prompt arrived the three
# documented ways (argument, PERFLOOP_PROMPT_FILE, stdin).
prompt="$1"
[ -f "$prompt" ] || { echo "fake agent: no prompt file as the last argument: '$prompt'" >&2; exit 9; }
[ "$prompt" = "$PERFLOOP_PROMPT_FILE" ] || { echo "fake agent: argument and PERFLOOP_PROMPT_FILE differ" >&2; exit 9; }
cat > "$prompt.stdin"
cmp -s "$prompt" "$prompt.stdin" || { echo "fake agent: stdin is not the prompt" >&2; exit 9; }

target=$(sed -n 's/^- Target: //p' "$prompt" | head -n 1)
# A rework prompt carries the guard's output; only then does this agent know what it broke.
if grep -q 'FAIL edge case' "$prompt"; then rework=yes; else rework=no; fi
echo "fake agent: target '$target', attempt $PERFLOOP_ATTEMPT, rework $rework"

case "$target" in
  "setup")
    # Commits its change instead of leaving it in the work tree, as aider does by default.
    sed -i 's/sleep 0.20/sleep 0.08/' lib/setup.sh
    git add -A && git commit -q -m "Shorten the setup sleep" || exit 5
    ;;
  "main loop")
    sed -i 's/sleep 0.10/sleep 0.02/' app.sh
    [ "$rework" = yes ] || sed -i 's/edge ok/edge broken/' app.sh
    echo "SUMMARY: Shorter main sleep"
    ;;
  "edge cases")
    # Never learns: breaks the guard on every attempt.
    sed -i 's/sleep 0.08/sleep 0.01/' lib/setup.sh
    sed -i 's/edge ok/edge broken/' app.sh
    echo "SUMMARY: Faster setup without the edge case"
    ;;
  "stuck")
    echo "# half-done edit" >> lib/setup.sh
    echo "thinking..."
    sleep 60
    ;;
  *)
    echo "fake agent: unknown target '$target'" >&2
    exit 4
    ;;
esac
