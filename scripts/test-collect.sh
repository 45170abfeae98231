#!/usr/bin/env bash
# Tests scripts/collect.sh without AWS: a fake `aws`, first on PATH, logs its arguments and answers from
# the moto corpus (../shared/corpus/moto/s1-public-private). Run from anywhere:
#
#   bash scripts/test-collect.sh
#
# COLLECT_TEST_KEEP=DIR copies the main test's bundle and call log into DIR (crates/cli/tests/collector.rs
# parses that bundle with serde_json).

# Backticks in the expected messages below are literal text.
# shellcheck disable=SC2016
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
collect="$root/scripts/collect.sh"
corpus="${VPC_REACH_CORPUS:-$root/../shared/corpus}/moto/s1-public-private"
[[ -d "$corpus" ]] || {
    echo "test-collect: the corpus is missing: $corpus (it lives in shared/ beside the repository)" >&2
    exit 1
}
bash_bin="$(command -v bash)"

target="i-21257989a63b25669" # web-1
vpc="vpc-d5572d7a779a97109"
office_pl="pl-dd5cb27c41ad96674" # referenced by web-sg
s3_pl="pl-948e6214142fcd8f6"     # referenced by the route the test adds (S3 gateway endpoint)

tmp="$(mktemp -d "${TMPDIR:-/tmp}/vpc-reach-test-collect.XXXXXX")"
trap 'rm -rf -- "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/overlay" "$tmp/empty"

# ---------------------------------------------------------------------------------------------------
# The fake aws. Environment:
#   FAKE_AWS_LOG      file that gets one line per call: the arguments separated by tabs
#   FAKE_AWS_CORPUS   folder of <command>.json answers; FAKE_AWS_OVERLAY is looked at first
#   FAKE_AWS_FAIL     commands that fail as AccessDenied would (space-separated)
#   FAKE_AWS_UNKNOWN  commands this "CLI version" does not know (as an old CLI answers)
cat >"$tmp/bin/aws" <<'FAKE'
#!/usr/bin/env bash
set -euo pipefail
(IFS=$'\t'; printf '%s\n' "$*") >>"$FAKE_AWS_LOG"
[[ "${1:-}" == ec2 ]] || { echo "fake aws: only ec2 is faked" >&2; exit 252; }
sub="${2:-}"
shift 2
case " ${FAKE_AWS_UNKNOWN:-} " in *" $sub "*)
    printf 'usage: aws [options] <command> <subcommand> [<subcommand> ...] [parameters]\naws: error: argument operation: Invalid choice: %s\n' "$sub" >&2
    exit 252 ;;
esac
# The options each command takes (from `aws ec2 <command> help`), as the real CLI's parser checks them.
case "$sub" in
describe-instances) allowed="--instance-ids --filters" ;;
describe-network-interfaces) allowed="--network-interface-ids --filters" ;;
describe-security-groups) allowed="--group-ids --group-names --filters" ;;
describe-network-acls) allowed="--network-acl-ids --filters" ;;
describe-route-tables) allowed="--route-table-ids --filters" ;;
describe-internet-gateways) allowed="--internet-gateway-ids --filters" ;;
describe-egress-only-internet-gateways) allowed="--egress-only-internet-gateway-ids --filters" ;;
describe-subnets) allowed="--subnet-ids --filters" ;;
describe-vpcs) allowed="--vpc-ids --filters" ;;
describe-addresses) allowed="--public-ips --allocation-ids --filters" ;;
describe-instance-status) allowed="--instance-ids --filters --include-all-instances" ;;
describe-managed-prefix-lists) allowed="--prefix-list-ids --filters" ;;
get-managed-prefix-list-entries) allowed="--prefix-list-id" ;;
describe-prefix-lists) allowed="--prefix-list-ids --filters" ;;
describe-nat-gateways) allowed="--nat-gateway-ids --filter" ;;
describe-flow-logs) allowed="--flow-log-ids --filter" ;;
describe-vpc-block-public-access-options) allowed="" ;;
*) echo "fake aws: unexpected command $sub" >&2; exit 252 ;;
esac
output="" query="" instance_ids=() pl=""
while (($#)); do
    opt="$1"
    shift
    case "$opt" in
    --output) output="$1"; shift ;;
    --query) query="$1"; shift ;;
    --region | --profile) shift ;;
    --include-all-instances) ;;
    --*)
        case " $allowed " in *" $opt "*) ;; *)
            echo "aws: error: Unknown options: $opt" >&2
            exit 252 ;;
        esac
        # list-valued options take every following non-option word
        while (($#)) && [[ "$1" != --* ]]; do
            [[ "$opt" == --instance-ids ]] && instance_ids+=("$1")
            [[ "$opt" == --prefix-list-id ]] && pl="$1"
            shift
        done ;;
    *) echo "aws: error: unexpected argument $opt" >&2; exit 252 ;;
    esac
done
[[ "$output" == json ]] || { echo "fake aws: --output json missing" >&2; exit 97; }
case " ${FAKE_AWS_FAIL:-} " in *" $sub "*)
    echo "An error occurred (UnauthorizedOperation) when calling the $sub operation: You are not authorized to perform this operation." >&2
    exit 254 ;;
esac
answer() {
    local f
    for f in "${FAKE_AWS_OVERLAY:-/nonexistent}/$1.json" "$FAKE_AWS_CORPUS/$1.json"; do
        [[ -f "$f" ]] && { cat "$f"; return 0; }
    done
    echo "fake aws: no canned answer $1" >&2
    exit 96
}
case "$sub" in
describe-instances)
    for id in ${instance_ids[@]+"${instance_ids[@]}"}; do
        grep -q "\"InstanceId\": \"$id\"" "$FAKE_AWS_CORPUS/describe-instances.json" || {
            echo "An error occurred (InvalidInstanceID.NotFound) when calling the DescribeInstances operation: The instance ID '$id' does not exist" >&2
            exit 254
        }
    done
    [[ -z "$query" ]] || { echo "fake aws: unexpected --query $query" >&2; exit 98; }
    answer describe-instances ;;
describe-instance-status) answer describe-instance-status__include-all-instances ;;
get-managed-prefix-list-entries)
    f="$FAKE_AWS_CORPUS/get-managed-prefix-list-entries__$pl.json"
    [[ -f "$f" ]] || {
        echo "An error occurred (InvalidPrefixListID.NotFound) when calling the GetManagedPrefixListEntries operation: The prefix list ID '$pl' does not exist" >&2
        exit 254
    }
    if [[ -z "$query" ]]; then
        cat "$f"
    elif [[ "$query" == "{PrefixListId: '$pl', Entries: Entries}" ]]; then
        # what the CLI prints for that query: the list id, then the entries
        sed "1s/^{\$/{\n    \"PrefixListId\": \"$pl\",/" "$f"
    else
        echo "fake aws: unsupported --query $query" >&2
        exit 98
    fi ;;
describe-vpc-block-public-access-options)
    cat <<'EOF'
{
    "VpcBlockPublicAccessOptions": {
        "AwsAccountId": "123456789012",
        "AwsRegion": "us-east-1",
        "State": "default-state",
        "InternetGatewayBlockMode": "off",
        "Reason": "",
        "ManagedBy": "account",
        "ExclusionsAllowed": "allowed"
    }
}
EOF
    ;;
*)
    [[ -z "$query" ]] || { echo "fake aws: unexpected --query $query" >&2; exit 98; }
    answer "$sub" ;;
esac
FAKE
chmod +x "$tmp/bin/aws"

# The S3 gateway-endpoint route a real VPC often has: the only kind of route that names a prefix list.
sed "0,/\"Routes\": \[/s//\"Routes\": [\n                {\n                    \"DestinationPrefixListId\": \"$s3_pl\",\n                    \"GatewayId\": \"vpce-0a1b2c3d4e5f60718\",\n                    \"Origin\": \"CreateRoute\",\n                    \"State\": \"active\"\n                },/" \
    "$corpus/describe-route-tables.json" >"$tmp/overlay/describe-route-tables.json"
grep -q "\"DestinationPrefixListId\": \"$s3_pl\"" "$tmp/overlay/describe-route-tables.json"

export FAKE_AWS_CORPUS="$corpus" FAKE_AWS_OVERLAY="$tmp/overlay"
unset FAKE_AWS_FAIL FAKE_AWS_UNKNOWN VPC_REACH_COLLECT_CHUNK

passed=0
failed=0
case_name=""
ok() { passed=$((passed + 1)); printf 'ok   %s\n' "$case_name"; }
bad() {
    failed=$((failed + 1))
    printf 'FAIL %s: %s\n' "$case_name" "$*"
    if [[ -f "$tmp/err" ]]; then sed 's/^/     | /' "$tmp/err"; fi
}

# collect NAME ARGS... : runs the collector with a fresh log; sets rc; stdout in $tmp/out, stderr in $tmp/err.
collect() {
    case_name="$1"
    shift
    export FAKE_AWS_LOG="$tmp/log.$case_name"
    : >"$FAKE_AWS_LOG"
    rc=0
    (cd "$tmp" && PATH="$tmp/bin:$PATH" "$bash_bin" "$collect" "$@") >"$tmp/out" 2>"$tmp/err" || rc=$?
}
calls() { grep -c "^ec2	$1	" "$FAKE_AWS_LOG" || true; }
has_key() { grep -q "^    \"$1\": " "$2"; }

# Top-level keys the main run must produce (one or more documents each).
expected_keys=(Reservations NetworkInterfaces SecurityGroups NetworkAcls RouteTables InternetGateways
    EgressOnlyInternetGateways Subnets Vpcs Addresses InstanceStatuses PrefixLists PrefixListId Entries
    NatGateways FlowLogs VpcBlockPublicAccessOptions)

# --- 1. the whole run --------------------------------------------------------------------------------
collect main "$target" --region eu-west-1 -o bundle.json
b="$tmp/bundle.json"
problems=()
((rc == 0)) || problems+=("exit status $rc")
[[ -s "$b" ]] || problems+=("no bundle")
for k in "${expected_keys[@]}"; do
    [[ -s "$b" ]] && { has_key "$k" "$b" || problems+=("no top-level \`$k\` in the bundle"); }
done
# every call: JSON output and the region
while IFS= read -r line; do
    [[ "$line" == *$'\t--output\tjson'* ]] || problems+=("call without --output json: $line")
    [[ "$line" == *$'\t--region\teu-west-1'* ]] || problems+=("call without --region: $line")
done <"$FAKE_AWS_LOG"
# VPC filters where the CLI has them
for want in \
    $'describe-instances\t--filters\tName=vpc-id,Values='"$vpc" \
    $'describe-network-interfaces\t--filters\tName=vpc-id,Values='"$vpc" \
    $'describe-security-groups\t--filters\tName=vpc-id,Values='"$vpc" \
    $'describe-network-acls\t--filters\tName=vpc-id,Values='"$vpc" \
    $'describe-route-tables\t--filters\tName=vpc-id,Values='"$vpc" \
    $'describe-internet-gateways\t--filters\tName=attachment.vpc-id,Values='"$vpc" \
    $'describe-subnets\t--filters\tName=vpc-id,Values='"$vpc" \
    $'describe-vpcs\t--vpc-ids\t'"$vpc" \
    $'describe-nat-gateways\t--filter\tName=vpc-id,Values='"$vpc" \
    $'describe-instance-status\t--include-all-instances\t--instance-ids\t'; do
    grep -qF "ec2	$want" "$FAKE_AWS_LOG" || problems+=("no call \`${want//$'\t'/ }\`")
done
# prefix-list entries: exactly the lists the SGs and routes use, each labelled by --query
pl_calls="$(grep "^ec2	get-managed-prefix-list-entries	" "$FAKE_AWS_LOG" | cut -f4 | sort | paste -sd' ' -)"
[[ "$pl_calls" == "$(printf '%s\n' "$office_pl" "$s3_pl" | sort | paste -sd' ' -)" ]] ||
    problems+=("prefix lists fetched: \`$pl_calls\`, expected $office_pl and $s3_pl")
for pl in "$office_pl" "$s3_pl"; do
    grep -qF "ec2	get-managed-prefix-list-entries	--prefix-list-id	$pl	--query	{PrefixListId: '$pl', Entries: Entries}	" "$FAKE_AWS_LOG" ||
        problems+=("get-managed-prefix-list-entries for $pl lacks --query {PrefixListId: '$pl', Entries: Entries}")
    grep -q "^    \"PrefixListId\": \"$pl\",\$" "$b" || problems+=("no Entries document labelled $pl")
done
# flow logs are asked for the VPC, its subnets and its ENIs
fl="$(grep "^ec2	describe-flow-logs	" "$FAKE_AWS_LOG" | cut -f4)"
for id in "$vpc" subnet-4e09c2fb57e4f7c25 subnet-4578965bfd314b300 eni-fab17d004cb1c3d52; do
    [[ "$fl" == *"$id"* ]] || problems+=("describe-flow-logs filter misses $id")
done
# instance status covers every instance of the VPC
st="$(grep "^ec2	describe-instance-status	" "$FAKE_AWS_LOG")"
while IFS= read -r id; do
    [[ "$st" == *"$id"* ]] || problems+=("describe-instance-status misses $id")
done < <(grep -oE '"InstanceId": "i-[0-9a-f]+"' "$corpus/describe-instances.json" | cut -d'"' -f4 | sort -u)
# documents are passed through byte for byte
grep -qF "$(head -c 2000 "$corpus/describe-security-groups.json")" "$b" || problems+=("security groups not verbatim")
# documents are well-formed JSON (strict check when python3 is around; the Rust test always does one)
if command -v python3 >/dev/null 2>&1; then
    python3 - "$b" <<'PY' || problems+=("the bundle is not a stream of JSON objects")
import json, sys
text = open(sys.argv[1]).read()
dec, pos, n = json.JSONDecoder(), 0, 0
while True:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    if pos == len(text):
        break
    doc, pos = dec.raw_decode(text, pos)
    assert isinstance(doc, dict), doc
    n += 1
assert n >= 17, n
PY
fi
grep -q "wrote [0-9]* documents" "$tmp/err" || problems+=("no summary on stderr")
[[ ! -s "$tmp/out" ]] || problems+=("stdout is not empty")
if ((${#problems[@]})); then bad "${problems[@]}"; else ok; fi
if [[ -n "${COLLECT_TEST_KEEP:-}" ]]; then
    mkdir -p "$COLLECT_TEST_KEEP"
    cp "$b" "$COLLECT_TEST_KEEP/bundle.json"
    cp "$FAKE_AWS_LOG" "$COLLECT_TEST_KEEP/calls.log"
fi

# --- 2. long id lists are split ----------------------------------------------------------------------
VPC_REACH_COLLECT_CHUNK=2 collect chunked "$target" -o chunked.json
problems=()
((rc == 0)) || problems+=("exit status $rc")
n_fl="$(calls describe-flow-logs)"
n_st="$(calls describe-instance-status)"
((n_fl >= 3)) || problems+=("describe-flow-logs called $n_fl times, expected one per 2 ids")
((n_st >= 3)) || problems+=("describe-instance-status called $n_st times, expected one per 2 ids")
while IFS= read -r values; do
    (($(tr ',' '\n' <<<"$values" | wc -l) <= 2)) || problems+=("more than 2 ids in one call: $values")
done < <(grep "^ec2	describe-flow-logs	" "$FAKE_AWS_LOG" | cut -f4 | sed 's/^Name=resource-id,Values=//')
docs="$(grep -c '^    "FlowLogs": ' "$tmp/chunked.json" || true)"
((docs == n_fl)) || problems+=("$docs FlowLogs documents for $n_fl calls")
if ((${#problems[@]})); then bad "${problems[@]}"; else ok; fi

# --- 3. optional commands that fail do not stop the run ----------------------------------------------
FAKE_AWS_FAIL="describe-flow-logs describe-nat-gateways get-managed-prefix-list-entries describe-instance-status" \
    FAKE_AWS_UNKNOWN="describe-vpc-block-public-access-options" collect optional-fail "$target" -o partial.json
problems=()
((rc == 0)) || problems+=("exit status $rc")
for k in Reservations SecurityGroups NetworkAcls RouteTables Subnets Vpcs; do
    has_key "$k" "$tmp/partial.json" || problems+=("lost \`$k\`")
done
for k in FlowLogs NatGateways Entries InstanceStatuses VpcBlockPublicAccessOptions; do
    ! has_key "$k" "$tmp/partial.json" || problems+=("\`$k\` from a failed command")
done
grep -q 'skipped `describe-vpc-block-public-access-options`' "$tmp/err" || problems+=("no message for the unknown command")
grep -q 'skipped `describe-flow-logs`.*UnauthorizedOperation' "$tmp/err" || problems+=("no message for the denied command")
(($(calls describe-prefix-lists) == 1)) || problems+=("stopped before describe-prefix-lists")
if ((${#problems[@]})); then bad "${problems[@]}"; else ok; fi

# --- 4. a required command that fails: bundle written, exit status 3 ---------------------------------
FAKE_AWS_FAIL="describe-security-groups" collect required-fail "$target" -o incomplete.json
problems=()
((rc == 3)) || problems+=("exit status $rc, expected 3")
[[ -s "$tmp/incomplete.json" ]] || problems+=("no bundle")
has_key NetworkAcls "$tmp/incomplete.json" || problems+=("lost later commands")
grep -q 'incomplete.*describe-security-groups' "$tmp/err" || problems+=("no message naming the failed command")
if ((${#problems[@]})); then bad "${problems[@]}"; else ok; fi

# --- 5. an unknown instance: nothing written ---------------------------------------------------------
collect unknown-instance i-0123456789abcdef0 -o none.json
problems=()
((rc == 1)) || problems+=("exit status $rc, expected 1")
[[ ! -e "$tmp/none.json" ]] || problems+=("a bundle was written")
grep -q 'InvalidInstanceID.NotFound' "$tmp/err" || problems+=("the CLI's error is not shown")
grep -q 'cannot describe `i-0123456789abcdef0`' "$tmp/err" || problems+=("no message naming the instance")
if ((${#problems[@]})); then bad "${problems[@]}"; else ok; fi

# --- 6. -o - writes the bundle to standard output; --only-instance ------------------------------------
collect stdout-only-instance "$target" --only-instance -o -
problems=()
((rc == 0)) || problems+=("exit status $rc")
has_key SecurityGroups "$tmp/out" || problems+=("no bundle on stdout")
(($(calls describe-instances) == 1)) || problems+=("describe-instances called $(calls describe-instances) times, expected once")
grep -q $'describe-instance-status\t--include-all-instances\t--instance-ids\t'"$target"$'\t--output' "$FAKE_AWS_LOG" ||
    problems+=("instance status not limited to the instance")
if ((${#problems[@]})); then bad "${problems[@]}"; else ok; fi

# --- 7. bad arguments and a missing CLI --------------------------------------------------------------
collect bad-id not-an-instance
problems=()
((rc == 1)) || problems+=("exit status $rc for an unexpected argument")
grep -q 'unexpected argument `not-an-instance`' "$tmp/err" || problems+=("no message for the bad argument")
collect bad-id-2 i-xyz
((rc == 1)) || problems+=("exit status $rc for i-xyz")
grep -q '`i-xyz` is not an instance id' "$tmp/err" || problems+=("no message for i-xyz")
case_name=no-aws
rc=0
(cd "$tmp" && PATH="$tmp/empty" "$bash_bin" "$collect" "$target") >"$tmp/out" 2>"$tmp/err" || rc=$?
((rc == 1)) || problems+=("exit status $rc without aws")
grep -q 'the AWS CLI (`aws`) is not on PATH' "$tmp/err" || problems+=("no message for a missing aws")
case_name=arguments
if ((${#problems[@]})); then bad "${problems[@]}"; else ok; fi

echo "collector: $passed passed, $failed failed"
((failed == 0))
