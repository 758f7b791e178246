#!/usr/bin/env bash
# The rollsafe action's one step (action.yml): runs rollsafe as the inputs say, writes the
# step summary, posts or updates the pull-request comment, sets the outputs, and exits with
# rollsafe's status. Reads its inputs from INPUT_* and GitHub's own variables; runs the same
# outside Actions (test/action.test.ts drives it with a stand-in for gh).
set -uo pipefail

rollsafe() { node "$ROLLSAFE_HOME/dist/sim/cli/main.js" "$@"; }
out=${INPUT_OUTPUT:-rollsafe-out}
engine=${INPUT_ENGINE:-explore}
mkdir -p "$out"
summary=${GITHUB_STEP_SUMMARY:-/dev/null}
outputs=${GITHUB_OUTPUT:-/dev/null}
status=0
sarif='' json='' junit='' report=''
# word-split on purpose: extra flags as the user wrote them
# shellcheck disable=SC2206
extra=(${INPUT_ARGS:-})
time_flag=()
[ -n "${INPUT_TIME:-}" ] && time_flag=(--time "$INPUT_TIME")

# A command's terminal output, for the step summary (GitHub caps a summary at 1 MiB).
run_logged() {
  local log=$1
  shift
  local rc=0
  "$@" > "$log" 2>&1 || rc=$?
  cat "$log"
  [ "$rc" -gt "$status" ] && status=$rc
  return 0
}
summary_block() {
  { echo "### rollsafe $engine: $1"; echo; echo '```text'; head -c 200000 "$2"; echo '```'; } >> "$summary"
}
verdict() { case $status in 0) echo '✅ nothing unsafe' ;; 1) echo '❌ unsafe or inconclusive' ;; *) echo '⚠️ bad input' ;; esac; }

case $engine in
  explore)
    if [ -n "${BASE_SHA:-}" ]; then
      # A pull request: each changed runbook against its base version; new ones on their own.
      mkdir -p "$out/sarif"
      # the run's page, where the report is uploaded as an artefact
      report_url=()
      if [ -n "${GITHUB_SERVER_URL:-}" ] && [ -n "${GITHUB_REPOSITORY:-}" ] && [ -n "${GITHUB_RUN_ID:-}" ]; then
        report_url=(--report-url "$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID")
      fi
      : > "$out/comment.md"
      changed=$(git diff --name-only --diff-filter=AMR "$BASE_SHA"...HEAD -- "$INPUT_SCENARIOS" | grep -E '\.ya?ml$' || true)
      added=()
      n=0
      for f in $changed; do
        if git cat-file -e "$BASE_SHA:$f" 2>/dev/null; then
          n=$((n + 1))
          # the base is named REV:PATH (rollsafe reads it with git show), so the comment's
          # reproduce command works in any clone, not only in this job
          run_logged "$out/diff-$n.txt" rollsafe diff "$BASE_SHA:$f" "$f" --markdown "$out/diff-$n.md" --sarif "$out/sarif/diff-$n.sarif" --json "$out/diff-$n.json" "${report_url[@]}" "${time_flag[@]}" "${extra[@]}"
          { echo "#### \`$f\`"; echo; if [ -s "$out/diff-$n.md" ]; then cat "$out/diff-$n.md"; else echo '```text'; cat "$out/diff-$n.txt"; echo '```'; fi; echo; } >> "$out/comment.md"
        else
          added+=("$f")
        fi
      done
      if [ ${#added[@]} -gt 0 ]; then
        # a new runbook has no base: it must meet its own expect block (or be safe)
        run_logged "$out/new.txt" rollsafe check "${added[@]}" --json "$out/new.json" --junit "$out/new.xml" --sarif "$out/sarif/new.sarif" "${time_flag[@]}" "${extra[@]}"
        { echo "#### New: ${added[*]}"; echo; echo '```text'; cat "$out/new.txt"; echo '```'; } >> "$out/comment.md"
        json="$out/new.json" junit="$out/new.xml"
      fi
      # a diff refused at its input writes no SARIF: upload only what there is
      if compgen -G "$out/sarif/*.sarif" > /dev/null; then sarif="$out/sarif"; fi
      # the report of both versions of each runbook: what the comment's link leads to
      if compgen -G "$out/diff-*.json" > /dev/null; then
        run_logged "$out/report.txt" rollsafe report "$out"/diff-*.json -o "$out/rollsafe-report.html"
        report="$out/rollsafe-report.html"
      fi
      if [ -z "$changed" ]; then
        echo "no scenario under $INPUT_SCENARIOS changed in this pull request"
        echo "### rollsafe explore: no runbook changed under \`$INPUT_SCENARIOS\`" >> "$summary"
      else
        { echo "### rollsafe explore: $(verdict)"; echo; cat "$out/comment.md"; } >> "$summary"
        if [ "${INPUT_COMMENT:-true}" = true ] && [ -n "${PR_NUMBER:-}" ] && [ "${HEAD_REPO:-}" = "${GITHUB_REPOSITORY:-}" ]; then
          # One comment per workflow and scenario folder, found by a hidden marker: another
          # workflow's (or another person's) last comment is never edited.
          key=$(printf '%s %s' "${GITHUB_WORKFLOW:-rollsafe}" "$INPUT_SCENARIOS" | tr -c 'A-Za-z0-9._/-' '-')
          marker="<!-- rollsafe-comment: $key -->"
          { echo "$marker"; cat "$out/comment.md"; } > "$out/comment-body.md"
          id=$(gh api --paginate "repos/$GITHUB_REPOSITORY/issues/$PR_NUMBER/comments" --jq ".[] | select(.body | startswith(\"$marker\")) | .id" | tail -n 1) || id=''
          if [ -n "$id" ]; then
            gh api --method PATCH "repos/$GITHUB_REPOSITORY/issues/comments/$id" -F "body=@$out/comment-body.md" > /dev/null || echo '::warning::rollsafe could not update its pull-request comment'
          else
            gh api --method POST "repos/$GITHUB_REPOSITORY/issues/$PR_NUMBER/comments" -F "body=@$out/comment-body.md" > /dev/null || echo '::warning::rollsafe could not post its pull-request comment'
          fi
        fi
      fi
    else
      run_logged "$out/check.txt" rollsafe check "$INPUT_SCENARIOS" --json "$out/rollsafe.json" --junit "$out/rollsafe.xml" --sarif "$out/rollsafe.sarif" "${time_flag[@]}" "${extra[@]}"
      summary_block "$(verdict)" "$out/check.txt"
      json="$out/rollsafe.json" junit="$out/rollsafe.xml" sarif="$out/rollsafe.sarif"
    fi
    ;;
  chaos | fuzz)
    shard=()
    if [ "$engine" = chaos ] && [ "${INPUT_SHARDS:-1}" != 1 ]; then shard=(--shard "$INPUT_SHARD/$INPUT_SHARDS"); fi
    name="$engine-${INPUT_SHARD:-1}"
    run_logged "$out/$name.txt" rollsafe "$engine" "$INPUT_SCENARIOS" --seed "$INPUT_SEED" "${shard[@]}" "${time_flag[@]}" --json "$out/$name.json" --junit "$out/$name.xml" --sarif "$out/$name.sarif" "${extra[@]}"
    summary_block "$(verdict)" "$out/$name.txt"
    json="$out/$name.json" junit="$out/$name.xml" sarif="$out/$name.sarif"
    ;;
  merge)
    # shellcheck disable=SC2206
    files=($INPUT_RESULTS)
    run_logged "$out/merge.txt" rollsafe merge "${files[@]}" --json "$out/rollsafe.json" --junit "$out/rollsafe.xml" --sarif "$out/rollsafe.sarif"
    if [ -s "$out/rollsafe.json" ]; then
      run_logged "$out/report.txt" rollsafe report "$out/rollsafe.json" -o "$out/rollsafe-report.html"
      report="$out/rollsafe-report.html"
    fi
    summary_block "$(verdict)" "$out/merge.txt"
    json="$out/rollsafe.json" junit="$out/rollsafe.xml" sarif="$out/rollsafe.sarif"
    ;;
  *)
    echo "rollsafe action: engine must be one of: explore, chaos, fuzz, merge; got '$engine'" >&2
    status=2
    ;;
esac

# only outputs that exist: a run refused at its input writes none
for v in sarif json junit report; do
  [ -n "${!v}" ] && [ ! -e "${!v}" ] && printf -v "$v" '%s' ''
done
{ echo "status=$status"; echo "sarif=$sarif"; echo "json=$json"; echo "junit=$junit"; echo "report=$report"; } >> "$outputs"
if [ "${INPUT_FAIL:-true}" = true ]; then exit "$status"; fi
exit 0
