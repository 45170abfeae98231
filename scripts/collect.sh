#!/usr/bin/env bash
# vpc-reach collector: gathers every `aws ec2 describe-*` output needed to analyse the internet
# reachability of one EC2 instance into ONE bundle file (JSON documents concatenated, each exactly as
# `aws ec2 ... --output json` prints it). Meant for AWS CloudShell; needs only bash, grep and the AWS CLI
# (v1 or v2). Read-only: it calls describe-* / get-* only.
#
#   scripts/collect.sh i-0123456789abcdef0 [--region R] [--profile P] [-o bundle.json] [--only-instance]
#
# Then: vpc-reach check bundle.json --instance i-0123456789abcdef0 --port 22

set -euo pipefail

usage() {
    cat <<'EOF'
usage: collect.sh INSTANCE_ID [--region REGION] [--profile PROFILE] [-o FILE] [--only-instance]

Writes the describe-* output vpc-reach needs for INSTANCE_ID into one file (default:
vpc-reach-INSTANCE_ID.json; `-o -` writes to standard output). Everything is filtered to the
instance's VPC where the AWS CLI allows it.

  --region REGION    AWS region (default: the CLI's, e.g. $AWS_REGION in CloudShell)
  --profile PROFILE  AWS CLI profile
  -o, --output FILE  where to write the bundle
  --only-instance    describe only this instance (and its status), not every instance in the VPC;
                     faster in very large VPCs, but `vpc-reach exposure` then sees one instance
EOF
}

say() { printf 'collect: %s\n' "$*" >&2; }
die() {
    say "error: $*"
    exit 1
}

instance=""
out=""
only_instance=0
aws_global=()
while (($#)); do
    case "$1" in
    -h | --help)
        usage
        exit 0
        ;;
    --region | --profile)
        (($# >= 2)) || die "\`$1\` needs a value"
        aws_global+=("$1" "$2")
        shift 2
        ;;
    --region=* | --profile=*)
        aws_global+=("${1%%=*}" "${1#*=}")
        shift
        ;;
    -o | --output)
        (($# >= 2)) || die "\`$1\` needs a file name"
        out="$2"
        shift 2
        ;;
    --only-instance)
        only_instance=1
        shift
        ;;
    i-*)
        [[ -z "$instance" ]] || die "only one instance id, please (got \`$instance\` and \`$1\`)"
        instance="$1"
        shift
        ;;
    *)
        usage >&2
        die "unexpected argument \`$1\`"
        ;;
    esac
done

[[ -n "$instance" ]] || {
    usage >&2
    die "give the instance id, e.g. \`i-0123456789abcdef0\`"
}
[[ "$instance" =~ ^i-[0-9a-f]{8,17}$ ]] || die "\`$instance\` is not an instance id (i- followed by 8 or 17 hex digits)"
command -v aws >/dev/null 2>&1 || die "the AWS CLI (\`aws\`) is not on PATH; run this in AWS CloudShell or install the AWS CLI"
[[ -n "$out" ]] || out="vpc-reach-$instance.json"

# Filter values per call: describe-instance-status takes at most 100 instance ids, and EC2 filters
# take at most 200 values, so long id lists are split into several calls (several documents).
chunk="${VPC_REACH_COLLECT_CHUNK:-100}"
[[ "$chunk" =~ ^[1-9][0-9]*$ ]] || die "VPC_REACH_COLLECT_CHUNK must be a positive number, not \`$chunk\`"

# Never page the CLI's output (AWS CLI v2 pipes to `less` on a terminal).
export AWS_PAGER=""

work="$(mktemp -d "${TMPDIR:-/tmp}/vpc-reach-collect.XXXXXX")"
trap 'rm -rf -- "$work"' EXIT
bundle="$work/bundle.json"
: >"$bundle"
ndocs=0
failed_required=()
failed_optional=()

# run NAME ARGS... : runs `aws ec2 NAME ARGS... --output json` into $work/last.json (stdout) and
# $work/last.err; returns the CLI's exit status.
run() {
    local name="$1"
    shift
    local status=0
    aws ec2 "$name" "$@" ${aws_global[@]+"${aws_global[@]}"} --output json \
        >"$work/last.json" 2>"$work/last.err" || status=$?
    return "$status"
}

# keep NAME : appends $work/last.json to the bundle and keeps a copy for ids_of.
keep() {
    cat "$work/last.json" >>"$bundle"
    ndocs=$((ndocs + 1))
    cp "$work/last.json" "$work/$1.$ndocs.json"
}

# fetch required|optional NAME ARGS... : runs the command and appends its document to the bundle;
# sets fetched_ok=1 on success. A failing command is reported and remembered; the run goes on.
fetched_ok=0
fetch() {
    local kind="$1" name="$2"
    shift 2
    say "aws ec2 $name"
    fetched_ok=0
    if run "$name" "$@" && [[ -s "$work/last.json" ]]; then
        keep "$name"
        fetched_ok=1
        return 0
    fi
    local why
    why="$(tr -s '\n' ' ' <"$work/last.err" | sed 's/^ *//; s/ *$//')"
    [[ -n "$why" ]] || why="no output"
    if [[ "$kind" == optional ]]; then
        say "skipped \`$name\` (optional): $why"
        failed_optional+=("$name")
    else
        say "warning: \`$name\` failed: $why"
        failed_required+=("$name")
    fi
    return 0
}

# ids_of NAME KEY PREFIX : the distinct values of "KEY": "PREFIX-..." in the kept outputs of NAME
# (nothing if it failed). AWS ids are hex digits after the prefix, and a quote inside a JSON string is
# escaped, so this matches real keys only; no jq needed.
ids_of() {
    local name="$1" key="$2" prefix="$3" f
    for f in "$work/$name".*.json; do
        [[ -e "$f" ]] || continue
        grep -oE "\"$key\": *\"$prefix-[0-9a-fA-F]+\"" "$f" | sed -E 's/.*"([^"]+)"$/\1/' || true
    done | sort -u
}

# chunks : reads ids on stdin (one a line), prints them comma-separated, at most $1 a line.
chunks() { grep -v '^$' | xargs -n "$1" | tr ' ' ','; }

say "instance $instance${aws_global[*]:+ (${aws_global[*]})}"

# 1. The instance itself: must succeed, it tells us the VPC.
if ! run describe-instances --instance-ids "$instance"; then
    cat "$work/last.err" >&2
    die "cannot describe \`$instance\`; check the id, the region (--region) and that you may call ec2:DescribeInstances"
fi
cp "$work/last.json" "$work/target.json"
# Normally one VPC; an instance with ENIs in several VPCs (multi-VPC ENI attachment) gets all of them.
vpcs=()
while IFS= read -r v; do vpcs+=("$v"); done < <(grep -oE '"VpcId": *"vpc-[0-9a-fA-F]+"' "$work/target.json" |
    sed -E 's/.*"([^"]+)"$/\1/' | sort -u || true)
((${#vpcs[@]})) || die "\`$instance\` has no VPC in the describe-instances output (terminated?)"
vpc_csv="$(IFS=,; echo "${vpcs[*]}")"
say "vpc: $vpc_csv"

if ((only_instance)); then
    cp "$work/target.json" "$work/last.json"
    keep describe-instances
else
    # Every instance in the VPC: the owners of the other ENIs, and `vpc-reach exposure` on the bundle.
    fetch optional describe-instances --filters "Name=vpc-id,Values=$vpc_csv"
    if ((!fetched_ok)); then
        say "using the description of \`$instance\` alone"
        cp "$work/target.json" "$work/last.json"
        keep describe-instances
    fi
fi

# 2. The network around it.
fetch required describe-network-interfaces --filters "Name=vpc-id,Values=$vpc_csv"
fetch required describe-security-groups --filters "Name=vpc-id,Values=$vpc_csv"
fetch required describe-network-acls --filters "Name=vpc-id,Values=$vpc_csv"
fetch required describe-route-tables --filters "Name=vpc-id,Values=$vpc_csv"
fetch required describe-internet-gateways --filters "Name=attachment.vpc-id,Values=$vpc_csv"
# No VPC filter exists for egress-only internet gateways (only tag filters): all of them.
fetch optional describe-egress-only-internet-gateways
fetch required describe-subnets --filters "Name=vpc-id,Values=$vpc_csv"
fetch required describe-vpcs --vpc-ids "${vpcs[@]}"
fetch required describe-addresses --filters "Name=domain,Values=vpc"

# 3. Instance status, for every described instance (at most 100 ids per call).
status_chunk=$((chunk < 100 ? chunk : 100))
while IFS= read -r list; do
    [[ -n "$list" ]] || continue
    IFS=, read -r -a some <<<"$list"
    fetch optional describe-instance-status --include-all-instances --instance-ids "${some[@]}"
done < <( (echo "$instance"; ((only_instance)) || ids_of describe-instances InstanceId i) | sort -u |
    chunks "$status_chunk")

# 4. Prefix lists: the catalogue, then the entries of every list the security groups or routes use.
fetch optional describe-managed-prefix-lists
while IFS= read -r pl; do
    # get-managed-prefix-list-entries does not print the list id: label the document with it.
    fetch optional get-managed-prefix-list-entries --prefix-list-id "$pl" \
        --query "{PrefixListId: '$pl', Entries: Entries}"
done < <( (ids_of describe-security-groups PrefixListId pl
    ids_of describe-route-tables DestinationPrefixListId pl) | sort -u)
fetch optional describe-prefix-lists

# 5. Outbound paths and evidence sources.
fetch optional describe-nat-gateways --filter "Name=vpc-id,Values=$vpc_csv"
while IFS= read -r list; do
    [[ -n "$list" ]] || continue
    fetch optional describe-flow-logs --filter "Name=resource-id,Values=$list"
done < <( (printf '%s\n' "${vpcs[@]}"
    ids_of describe-subnets SubnetId subnet
    ids_of describe-network-interfaces NetworkInterfaceId eni) | sort -u | chunks "$chunk")

# 6. Account-wide VPC Block Public Access (needs a recent CLI and ec2:DescribeVpcBlockPublicAccessOptions).
fetch optional describe-vpc-block-public-access-options

# Write the bundle.
if [[ "$out" == - ]]; then
    cat "$bundle"
else
    # Written beside the target first, then renamed, so a half-written bundle never appears.
    tmp_out="$out.partial.$$"
    cp "$bundle" "$tmp_out"
    mv -f "$tmp_out" "$out"
fi

size="$(wc -c <"$bundle" | tr -d ' ')"
say "wrote $ndocs documents ($size bytes) to $([[ "$out" == - ]] && echo 'standard output' || echo "$out")"
if ((${#failed_optional[@]})); then
    say "optional commands skipped: $(printf '%s\n' "${failed_optional[@]}" | sort -u | paste -sd' ' -)"
fi
if ((${#failed_required[@]})); then
    say "error: the bundle is incomplete; these commands failed: $(printf '%s\n' "${failed_required[@]}" | sort -u | paste -sd' ' -)"
    say "help: allow them for your role (they are read-only ec2:Describe* calls) and run again"
    exit 3
fi
say "next: vpc-reach check $([[ "$out" == - ]] && echo BUNDLE || echo "$out") --instance $instance --port 22"
