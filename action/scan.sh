#!/usr/bin/env bash
# The scan step of action.yml. Inputs come from the environment (INPUT_*), as the action passes
# them with env:. Runs one scan that writes SARIF (if asked) and the Markdown summary, appends the
# summary to $GITHUB_STEP_SUMMARY, and records the exit code as the step output exit-code instead of
# failing, so that the upload still happens; the action's last step turns it into the job's result.
set -uo pipefail

read -r -a paths <<< "${INPUT_PATHS:-.}"
[ "${#paths[@]}" -gt 0 ] || paths=(.)
args=(scan "${paths[@]}")
[ -n "${INPUT_POLICY:-}" ] && args+=(--policy "${INPUT_POLICY}")
[ -n "${INPUT_BASELINE:-}" ] && args+=(--baseline "${INPUT_BASELINE}")
[ -n "${INPUT_AS_OF:-}" ] && args+=(--as-of "${INPUT_AS_OF}")
# A wrong input stops before the scan: said in the log and the job summary, exit code 2 at the gate.
input_error() {
  echo "cn-crossborder: error: $1" >&2
  printf '## cn-crossborder: error\n\n%s (exit code 2).\n' "$1" >> "${GITHUB_STEP_SUMMARY}"
  echo "exit-code=2" >> "${GITHUB_OUTPUT}"
  exit 0
}
case "${INPUT_SOFT_FAIL:-false}" in
  true | True | TRUE) args+=(--soft-fail) ;;
  false | False | FALSE | "") ;;
  *) input_error "input soft-fail must be true or false, not '${INPUT_SOFT_FAIL}'" ;;
esac
# upload-sarif is read by the upload step's condition; a value that is neither would skip the upload
# without a word.
case "${INPUT_UPLOAD_SARIF:-true}" in
  true | True | TRUE | false | False | FALSE | "") ;;
  *) input_error "input upload-sarif must be true or false, not '${INPUT_UPLOAD_SARIF}'" ;;
esac

summary="$(mktemp "${RUNNER_TEMP:-/tmp}/cn-crossborder-summary.XXXXXX")"
if [ -n "${INPUT_SARIF:-}" ]; then
  rm -f "${INPUT_SARIF}"
  args+=(--format sarif --output "${INPUT_SARIF}" --summary "${summary}")
else
  args+=(--format cli --summary "${summary}")
fi

echo "cn-crossborder ${args[*]}"
cn-crossborder "${args[@]}"
code=$?

if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  if [ -s "${summary}" ]; then
    cat "${summary}" >> "${GITHUB_STEP_SUMMARY}"
  else
    printf '## cn-crossborder: error\n\nThe scan stopped with exit code %s before reporting; its log names the problem.\n' \
      "${code}" >> "${GITHUB_STEP_SUMMARY}"
  fi
fi
rm -f "${summary}"

echo "exit-code=${code}" >> "${GITHUB_OUTPUT}"
if [ -n "${INPUT_SARIF:-}" ] && [ -s "${INPUT_SARIF}" ]; then
  echo "sarif=${INPUT_SARIF}" >> "${GITHUB_OUTPUT}"
fi
exit 0
