//! A synthetic AWS account for the scale benchmark (`benches/scale.rs`) and its smoke test
//! (`tests/bench_smoke.rs`): `aws ec2 describe-*` output in the real CLI's shapes and formatting (four
//! spaces of indentation, the fields a real account prints), concatenated as `scripts/collect.sh` writes
//! a bundle.
//!
//! Deterministic: every entity draws from its own small PRNG seeded by (seed, kind, index), and every
//! cross-reference (subnet → VPC, instance → subnet, rule → security group, route → gateway, …) is a
//! pure function of indices, so nothing is looked up and the same sizes and seed give the same bytes.
//!
//! Layout: entity `g` of a per-VPC kind (subnet, security group, NACL, route table, instance) lives in
//! VPC `g % vpcs` with local index `g / vpcs`. Local index 0 is the VPC's default security group,
//! default NACL and main route table. Route table `m` is public (0.0.0.0/0 → IGW) when `m` is odd and
//! the VPC has an IGW; subnet `l` uses route table `l % route_tables_in_vpc` and NACL
//! `l % nacls_in_vpc`.
#![allow(dead_code)] // the smoke test uses only part of it

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::{json, Value};

pub const ACCOUNT: &str = "123456789012";
pub const REGION: &str = "us-east-1";

/// How big the account is. See [`Sizes::normalized`] for the adjustments that keep it valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sizes {
    pub instances: usize,
    pub security_groups: usize,
    pub nacls: usize,
    pub route_tables: usize,
    pub subnets: usize,
    pub vpcs: usize,
    /// Customer-managed prefix lists (three AWS-managed ones are always added).
    pub prefix_lists: usize,
    pub seed: u64,
}

/// The names accepted by [`Sizes::set`] (`--instances 500`, `VPC_REACH_BENCH_INSTANCES=500`).
pub const SIZE_KEYS: [&str; 8] = [
    "instances",
    "security-groups",
    "nacls",
    "route-tables",
    "subnets",
    "vpcs",
    "prefix-lists",
    "seed",
];

impl Sizes {
    /// The benchmark's default: a large account.
    pub fn standard() -> Sizes {
        Sizes {
            instances: 10_000,
            security_groups: 3_000,
            nacls: 300,
            route_tables: 300,
            subnets: 600,
            vpcs: 30,
            prefix_lists: 40,
            seed: 1,
        }
    }

    /// A few of everything, for the smoke test.
    pub fn smoke() -> Sizes {
        Sizes {
            instances: 60,
            security_groups: 12,
            nacls: 6,
            route_tables: 6,
            subnets: 12,
            vpcs: 3,
            prefix_lists: 4,
            seed: 7,
        }
    }

    /// The environment variable for a size key: `VPC_REACH_BENCH_SECURITY_GROUPS`.
    pub fn env_name(key: &str) -> String {
        format!(
            "VPC_REACH_BENCH_{}",
            key.to_ascii_uppercase().replace('-', "_")
        )
    }

    /// Sets one size by name (see [`SIZE_KEYS`]).
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        let n: u64 = value
            .trim()
            .parse()
            .map_err(|_| format!("`{value}` is not a whole number (for `{key}`)"))?;
        if key == "seed" {
            self.seed = n;
            return Ok(());
        }
        let n = usize::try_from(n).map_err(|_| format!("`{value}` is too large (for `{key}`)"))?;
        let slot = match key {
            "instances" => &mut self.instances,
            "security-groups" => &mut self.security_groups,
            "nacls" => &mut self.nacls,
            "route-tables" => &mut self.route_tables,
            "subnets" => &mut self.subnets,
            "vpcs" => &mut self.vpcs,
            "prefix-lists" => &mut self.prefix_lists,
            _ => {
                return Err(format!(
                    "unknown size `{key}`; known: {}",
                    SIZE_KEYS.join(", ")
                ))
            }
        };
        *slot = n;
        Ok(())
    }

    /// Applies every `VPC_REACH_BENCH_*` variable that `get` knows (`std::env::var` in the bench).
    pub fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> Result<(), String> {
        for key in SIZE_KEYS {
            let name = Sizes::env_name(key);
            if let Some(v) = get(&name) {
                self.set(key, &v).map_err(|e| format!("{name}: {e}"))?;
            }
        }
        Ok(())
    }

    /// The sizes actually generated: at least one of everything per VPC, at most 256 /24 subnets
    /// per /16 VPC and at most ~80 instances per subnet (so every address is distinct). Raises
    /// counts, never lowers them.
    pub fn normalized(self) -> Sizes {
        let mut s = self;
        s.instances = s.instances.max(1);
        s.prefix_lists = s.prefix_lists.max(1);
        s.vpcs = s.vpcs.max(1);
        for _ in 0..2 {
            s.subnets = s.subnets.max(s.instances.div_ceil(80) + s.vpcs);
            s.vpcs = s.vpcs.max(s.subnets.div_ceil(256));
        }
        s.security_groups = s.security_groups.max(s.vpcs);
        s.nacls = s.nacls.max(s.vpcs);
        s.route_tables = s.route_tables.max(s.vpcs);
        s
    }
}

/// What a generated account holds, counted by the generator or (by [`validate`]) from the JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub documents: usize,
    pub instances: usize,
    pub enis: usize,
    pub security_groups: usize,
    pub sg_permissions: usize,
    pub nacls: usize,
    pub nacl_entries: usize,
    pub route_tables: usize,
    pub routes: usize,
    pub subnets: usize,
    pub vpcs: usize,
    pub internet_gateways: usize,
    pub egress_only_gateways: usize,
    pub nat_gateways: usize,
    pub addresses: usize,
    pub instance_statuses: usize,
    pub prefix_lists: usize,
    pub prefix_list_entry_documents: usize,
    pub flow_logs: usize,
}

/// One document of the bundle.
#[derive(Debug, Clone)]
pub struct Document {
    /// The command that prints it, e.g. `describe-instances`.
    pub command: &'static str,
    /// Exactly as the CLI prints it, with the final newline.
    pub bytes: Vec<u8>,
}

/// A generated account.
#[derive(Debug, Clone)]
pub struct Account {
    pub sizes: Sizes,
    pub documents: Vec<Document>,
    /// A running instance with a public IPv4 address in a public subnet: the `check` target.
    pub target: String,
    pub expected: Counts,
}

impl Account {
    /// The documents concatenated, as one bundle file, and each document's byte range in it.
    pub fn bundle(&self) -> (Vec<u8>, Vec<std::ops::Range<usize>>) {
        let mut out = Vec::with_capacity(self.documents.iter().map(|d| d.bytes.len()).sum());
        let mut ranges = Vec::with_capacity(self.documents.len());
        for d in &self.documents {
            let start = out.len();
            out.extend_from_slice(&d.bytes);
            ranges.push(start..out.len());
        }
        (out, ranges)
    }
}

// ---------------------------------------------------------------------------------------------------
// Randomness and ids.

fn mix(mut z: u64) -> u64 {
    // splitmix64's finaliser: a bijection on u64.
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn kind_of(name: &str) -> u64 {
    name.bytes().fold(0xCBF2_9CE4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01B3)
    })
}

/// splitmix64.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(mix(seed))
    }

    fn entity(seed: u64, kind: &str, n: usize) -> Rng {
        Rng(mix(seed ^ kind_of(kind)).wrapping_add((n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// In `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }

    /// True with probability `p` percent.
    pub fn percent(&mut self, p: u64) -> bool {
        self.next_u64() % 100 < p
    }

    fn pick<'a>(&mut self, options: &[&'a str]) -> &'a str {
        let k = self.below(options.len());
        options.get(k).copied().unwrap_or_default()
    }
}

/// How many of `0..total` are `≡ k (mod parts)`.
fn share(total: usize, parts: usize, k: usize) -> usize {
    total / parts + usize::from(k < total % parts)
}

fn mac(n: u64) -> String {
    let b = mix(n).to_be_bytes();
    let [_, _, b2, b3, b4, b5, b6, _] = b;
    format!("02:{b2:02x}:{b3:02x}:{b4:02x}:{b5:02x}:{b6:02x}")
}

fn quad(first: u8, n: usize) -> String {
    format!(
        "{first}.{}.{}.{}",
        (n >> 16) & 0xff,
        (n >> 8) & 0xff,
        n & 0xff
    )
}

fn time(r: &mut Rng) -> String {
    format!(
        "20{:02}-{:02}-{:02}T{:02}:{:02}:{:02}+00:00",
        r.range(19, 25),
        r.range(1, 12),
        r.range(1, 28),
        r.below(24),
        r.below(60),
        r.below(60)
    )
}

fn tags(pairs: &[(&str, String)]) -> Value {
    Value::Array(
        pairs
            .iter()
            .map(|(k, v)| json!({"Key": k, "Value": v}))
            .collect(),
    )
}

fn insert(v: &mut Value, key: &str, value: impl Into<Value>) {
    if let Value::Object(m) = v {
        m.insert(key.to_owned(), value.into());
    }
}

fn extend(v: &mut Value, more: Value) {
    if let (Value::Object(m), Value::Object(more)) = (v, more) {
        m.extend(more);
    }
}

const AZS: [&str; 6] = [
    "us-east-1a",
    "us-east-1b",
    "us-east-1c",
    "us-east-1d",
    "us-east-1e",
    "us-east-1f",
];
const AZ_IDS: [&str; 6] = [
    "use1-az6", "use1-az1", "use1-az2", "use1-az4", "use1-az3", "use1-az5",
];

// ---------------------------------------------------------------------------------------------------
// The layout: every id and address is a function of indices.

struct Ctx {
    s: Sizes,
}

/// One instance's network facts, shared by describe-instances, describe-network-interfaces,
/// describe-addresses and describe-instance-status.
struct Inst {
    i: usize,
    v: usize,
    l: usize,
    slot: usize,
    id: String,
    running: bool,
    /// Auto-assigned public IPv4 on the primary ENI.
    public_ip: Option<String>,
    /// An Elastic IP on the primary ENI.
    eip: Option<String>,
    ipv6: Option<String>,
    sgs: Vec<usize>,
    second: Option<Second>,
}

struct Second {
    sg: usize,
    eip: Option<String>,
}

const ENI_SLOTS: usize = 4;

impl Ctx {
    fn id(&self, prefix: &str, n: usize) -> String {
        let x = mix(self.s.seed ^ kind_of(prefix)).wrapping_add(n as u64);
        format!("{prefix}-{:017x}", mix(x))
    }

    fn nv(&self) -> usize {
        self.s.vpcs
    }
    fn sub_n(&self, v: usize) -> usize {
        share(self.s.subnets, self.nv(), v)
    }
    fn sg_n(&self, v: usize) -> usize {
        share(self.s.security_groups, self.nv(), v)
    }
    fn nacl_n(&self, v: usize) -> usize {
        share(self.s.nacls, self.nv(), v)
    }
    fn rt_n(&self, v: usize) -> usize {
        share(self.s.route_tables, self.nv(), v)
    }
    fn global(&self, v: usize, local: usize) -> usize {
        local * self.nv() + v
    }

    fn vpc_id(&self, v: usize) -> String {
        self.id("vpc", v)
    }
    fn subnet_id(&self, v: usize, l: usize) -> String {
        self.id("subnet", self.global(v, l))
    }
    fn sg_id(&self, v: usize, m: usize) -> String {
        self.id("sg", self.global(v, m))
    }
    fn sg_name(&self, v: usize, m: usize) -> String {
        if m == 0 {
            "default".to_owned()
        } else {
            format!("tier-{}-{m}", v)
        }
    }
    fn nacl_id(&self, v: usize, m: usize) -> String {
        self.id("acl", self.global(v, m))
    }
    fn rtb_id(&self, v: usize, m: usize) -> String {
        self.id("rtb", self.global(v, m))
    }
    fn igw_id(&self, v: usize) -> String {
        self.id("igw", v)
    }
    fn eigw_id(&self, v: usize) -> String {
        self.id("eigw", v)
    }
    fn nat_id(&self, v: usize) -> String {
        self.id("nat", v)
    }
    fn eni_id(&self, n: usize) -> String {
        self.id("eni", n)
    }
    /// Customer lists are `0..prefix_lists`; then the AWS-managed S3, DynamoDB and CloudFront lists.
    fn pl_id(&self, k: usize) -> String {
        self.id("pl", k)
    }
    fn pl_count(&self) -> usize {
        self.s.prefix_lists + 3
    }
    fn pl_s3(&self) -> usize {
        self.s.prefix_lists
    }
    fn pl_dynamodb(&self) -> usize {
        self.s.prefix_lists + 1
    }
    fn pl_cloudfront(&self) -> usize {
        self.s.prefix_lists + 2
    }

    fn has_ipv6(&self, v: usize) -> bool {
        v % 2 == 0
    }
    fn has_igw(&self, v: usize) -> bool {
        v % 5 != 4
    }
    fn has_eigw(&self, v: usize) -> bool {
        self.has_ipv6(v)
    }
    fn rt_public(&self, v: usize, m: usize) -> bool {
        self.has_igw(v) && m % 2 == 1
    }
    fn subnet_rt(&self, v: usize, l: usize) -> usize {
        l % self.rt_n(v)
    }
    fn subnet_nacl(&self, v: usize, l: usize) -> usize {
        l % self.nacl_n(v)
    }
    fn subnet_public(&self, v: usize, l: usize) -> bool {
        self.rt_public(v, self.subnet_rt(v, l))
    }
    /// A NAT gateway sits in subnet 1 of every third VPC, when that subnet is public.
    fn has_nat(&self, v: usize) -> bool {
        v % 3 == 0 && self.sub_n(v) > 1 && self.subnet_public(v, 1)
    }

    fn vpc_cidr(&self, v: usize) -> String {
        format!("10.{}.0.0/16", v % 256)
    }
    fn vpc_v6(&self, v: usize) -> String {
        format!("2600:1f18:{:x}:{:x}00::/56", 0x4000 + v / 256, v % 256)
    }
    fn subnet_cidr(&self, v: usize, l: usize) -> String {
        format!("10.{}.{}.0/24", v % 256, l)
    }
    fn subnet_v6_prefix(&self, v: usize, l: usize) -> String {
        format!(
            "2600:1f18:{:x}:{:x}",
            0x4000 + v / 256,
            ((v % 256) << 8) | l
        )
    }
    fn host(&self, v: usize, l: usize, h: usize) -> String {
        format!("10.{}.{}.{}", v % 256, l, h)
    }
    fn az(&self, l: usize) -> &'static str {
        AZS.get(l % AZS.len()).copied().unwrap_or("us-east-1a")
    }
    fn az_id(&self, l: usize) -> &'static str {
        AZ_IDS.get(l % AZ_IDS.len()).copied().unwrap_or("use1-az6")
    }

    fn nat_eni(&self, v: usize) -> usize {
        (self.s.instances + v) * ENI_SLOTS
    }
    fn unattached_count(&self) -> usize {
        (self.s.instances / 100).min(self.s.subnets * 4)
    }
    fn unattached_eni(&self, u: usize) -> usize {
        (self.s.instances + self.nv() + u) * ENI_SLOTS
    }
    fn unassociated_eip(&self, k: usize) -> usize {
        (self.s.instances + self.nv() + self.unattached_count() + k) * ENI_SLOTS
    }
    fn eip_for(&self, eni_n: usize) -> String {
        quad(18, eni_n)
    }

    fn instance(&self, i: usize) -> Inst {
        let v = i % self.nv();
        let j = i / self.nv();
        let l = j % self.sub_n(v);
        let slot = j / self.sub_n(v);
        let mut r = Rng::entity(self.s.seed, "instance", i);
        let running = !r.percent(8);
        let public = self.subnet_public(v, l);
        let eip = (public && i % 20 == 7).then(|| self.eip_for(i * ENI_SLOTS));
        let public_ip = (public && running && eip.is_none() && r.percent(80)).then(|| quad(3, i));
        let ipv6 = (self.has_ipv6(v) && r.percent(50))
            .then(|| format!("{}::{:x}", self.subnet_v6_prefix(v, l), 0x1000 + slot));
        let sg_n = self.sg_n(v);
        let mut sgs = Vec::new();
        if sg_n > 1 {
            for _ in 0..r.range(1, 3) {
                let m = 1 + r.below(sg_n - 1);
                if !sgs.contains(&m) {
                    sgs.push(m);
                }
            }
        }
        if sgs.is_empty() || r.percent(15) {
            sgs.push(0);
        }
        let second = (i % 5 == 2).then(|| Second {
            sg: r.below(sg_n),
            eip: (public && i % 10 == 2).then(|| self.eip_for(i * ENI_SLOTS + 1)),
        });
        Inst {
            i,
            v,
            l,
            slot,
            id: self.id("i", i),
            running,
            public_ip,
            eip,
            ipv6,
            sgs,
            second,
        }
    }

    fn private_ip(&self, inst: &Inst, second: bool) -> String {
        self.host(inst.v, inst.l, 10 + 2 * inst.slot + usize::from(second))
    }

    /// The `check` target: the first running instance with a public IPv4 address.
    fn target(&self) -> String {
        (0..self.s.instances)
            .map(|i| self.instance(i))
            .find(|inst| inst.running && (inst.public_ip.is_some() || inst.eip.is_some()))
            .map(|inst| inst.id)
            .unwrap_or_else(|| self.id("i", 0))
    }
}

fn dns(ip: &str) -> String {
    format!("ip-{}.ec2.internal", ip.replace('.', "-"))
}

fn public_dns(ip: &str) -> String {
    format!("ec2-{}.compute-1.amazonaws.com", ip.replace('.', "-"))
}

// ---------------------------------------------------------------------------------------------------
// Formatting exactly as the CLI does: four-space indentation, `"Key": value`.

fn pretty(v: &impl Serialize) -> Result<String, String> {
    let mut out = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut out, fmt);
    v.serialize(&mut ser).map_err(|e| e.to_string())?;
    String::from_utf8(out).map_err(|e| e.to_string())
}

/// `{ <head fields>, "key": [ items… ] }` streamed item by item, so a 10 000-instance document
/// never exists as one `Value`.
fn list_document(
    head: &[(&str, Value)],
    key: &str,
    items: impl Iterator<Item = Value>,
) -> Result<Vec<u8>, String> {
    let mut s = String::from("{\n");
    for (k, v) in head {
        s.push_str(&format!("    {}: {},\n", pretty(k)?, pretty(v)?));
    }
    s.push_str(&format!("    {}: [", pretty(&key)?));
    let mut first = true;
    for item in items {
        s.push_str(if first { "\n" } else { ",\n" });
        first = false;
        for (n, line) in pretty(&item)?.lines().enumerate() {
            if n > 0 {
                s.push('\n');
            }
            s.push_str("        ");
            s.push_str(line);
        }
    }
    s.push_str(if first { "]\n}\n" } else { "\n    ]\n}\n" });
    Ok(s.into_bytes())
}

// ---------------------------------------------------------------------------------------------------
// The documents.

/// Builds one document, adding what it holds to the counts.
type Builder = fn(&Ctx, &mut Counts) -> Result<Vec<u8>, String>;

/// The documents in the collector's order; the prefix-list entries come between these two lists.
const BEFORE_ENTRIES: [(&str, Builder); 12] = [
    ("describe-instances", instances_doc),
    ("describe-network-interfaces", enis_doc),
    ("describe-security-groups", security_groups_doc),
    ("describe-network-acls", nacls_doc),
    ("describe-route-tables", route_tables_doc),
    ("describe-internet-gateways", igws_doc),
    ("describe-egress-only-internet-gateways", eigws_doc),
    ("describe-subnets", subnets_doc),
    ("describe-vpcs", vpcs_doc),
    ("describe-addresses", addresses_doc),
    ("describe-instance-status", statuses_doc),
    ("describe-managed-prefix-lists", managed_prefix_lists_doc),
];
const AFTER_ENTRIES: [(&str, Builder); 4] = [
    ("describe-prefix-lists", prefix_lists_doc),
    ("describe-nat-gateways", nat_gateways_doc),
    ("describe-flow-logs", flow_logs_doc),
    (
        "describe-vpc-block-public-access-options",
        block_public_access_doc,
    ),
];

/// Generates the account. `sizes` is normalised first (see [`Sizes::normalized`]).
pub fn generate(sizes: Sizes) -> Result<Account, String> {
    let c = Ctx {
        s: sizes.normalized(),
    };
    let mut documents = Vec::new();
    let mut expected = Counts::default();
    for (command, build) in BEFORE_ENTRIES {
        let bytes = build(&c, &mut expected)?;
        documents.push(Document { command, bytes });
    }
    for k in 0..c.pl_count() {
        let bytes = prefix_list_entries_doc(&c, k)?;
        documents.push(Document {
            command: "get-managed-prefix-list-entries",
            bytes,
        });
    }
    expected.prefix_list_entry_documents = c.pl_count();
    for (command, build) in AFTER_ENTRIES {
        let bytes = build(&c, &mut expected)?;
        documents.push(Document { command, bytes });
    }
    expected.documents = documents.len();
    Ok(Account {
        sizes: c.s,
        target: c.target(),
        documents,
        expected,
    })
}

fn block_public_access_doc(_: &Ctx, _: &mut Counts) -> Result<Vec<u8>, String> {
    let options = json!({"VpcBlockPublicAccessOptions": {
        "AwsAccountId": ACCOUNT,
        "AwsRegion": REGION,
        "State": "default-state",
        "InternetGatewayBlockMode": "off",
        "Reason": "",
        "ManagedBy": "account",
        "ExclusionsAllowed": "allowed"
    }});
    Ok((pretty(&options)? + "\n").into_bytes())
}

const INSTANCE_TYPES: [&str; 8] = [
    "t3.micro",
    "t3.medium",
    "m5.large",
    "m6i.xlarge",
    "c6g.large",
    "r6i.2xlarge",
    "t4g.small",
    "m7g.medium",
];

fn instances_doc(c: &Ctx, n: &mut Counts) -> Result<Vec<u8>, String> {
    // Reservations of one to three consecutive instances, as launches make them.
    let mut reservations = Vec::new();
    let mut i = 0;
    while i < c.s.instances {
        let mut r = Rng::entity(c.s.seed, "reservation", i);
        let len = r.range(1, 3).min(c.s.instances - i);
        let instances: Vec<Value> = (i..i + len)
            .map(|k| instance_json(c, &c.instance(k)))
            .collect();
        reservations.push(json!({
            "Groups": [],
            "Instances": instances,
            "OwnerId": ACCOUNT,
            "ReservationId": c.id("r", i),
        }));
        i += len;
    }
    n.instances = c.s.instances;
    list_document(&[], "Reservations", reservations.into_iter())
}

fn group_refs(c: &Ctx, v: usize, sgs: &[usize]) -> Value {
    Value::Array(
        sgs.iter()
            .map(|&m| json!({"GroupId": c.sg_id(v, m), "GroupName": c.sg_name(v, m)}))
            .collect(),
    )
}

fn association(ip: &str, eip: bool, c: &Ctx, eni_n: usize) -> Value {
    let mut a = json!({
        "IpOwnerId": if eip { ACCOUNT } else { "amazon" },
        "PublicDnsName": public_dns(ip),
        "PublicIp": ip,
    });
    if eip {
        insert(&mut a, "AllocationId", c.id("eipalloc", eni_n));
        insert(&mut a, "AssociationId", c.id("eipassoc", eni_n));
    }
    a
}

/// The public address on ENI `slot` of `inst` and whether it is an Elastic IP.
fn public_of(inst: &Inst, slot: usize) -> Option<(&str, bool)> {
    if slot == 0 {
        inst.eip
            .as_deref()
            .map(|ip| (ip, true))
            .or(inst.public_ip.as_deref().map(|ip| (ip, false)))
    } else {
        inst.second
            .as_ref()
            .and_then(|s| s.eip.as_deref())
            .map(|ip| (ip, true))
    }
}

/// An ENI of `inst` as describe-instances (`for_instance`) or describe-network-interfaces prints it.
fn eni_json(c: &Ctx, inst: &Inst, slot: usize, for_instance: bool) -> Value {
    let eni_n = inst.i * ENI_SLOTS + slot;
    let ip = c.private_ip(inst, slot == 1);
    let public = public_of(inst, slot);
    let groups = match (&inst.second, slot) {
        (Some(s), 1) => group_refs(c, inst.v, &[s.sg]),
        _ => group_refs(c, inst.v, &inst.sgs),
    };
    let mut r = Rng::entity(c.s.seed, "eni", eni_n);
    let mut private = json!({
        "Primary": true,
        "PrivateDnsName": dns(&ip),
        "PrivateIpAddress": ip,
    });
    if let Some((pip, eip)) = public {
        insert(&mut private, "Association", association(pip, eip, c, eni_n));
    }
    let mut privates = vec![private];
    // A secondary private address (in .230–.249, one per instance slot, so never shared).
    if slot == 1 && inst.slot < 20 && r.percent(30) {
        let extra = c.host(inst.v, inst.l, 230 + inst.slot);
        privates.push(
            json!({"Primary": false, "PrivateDnsName": dns(&extra), "PrivateIpAddress": extra}),
        );
    }
    let ipv6: Vec<Value> = match (&inst.ipv6, slot) {
        (Some(a), 0) => vec![json!({"Ipv6Address": a, "IsPrimaryIpv6": false})],
        _ => Vec::new(),
    };
    let mut attachment = json!({
        "AttachTime": time(&mut r),
        "AttachmentId": c.id("eni-attach", eni_n),
        "DeleteOnTermination": slot == 0,
        "DeviceIndex": slot,
        "Status": "attached",
        "NetworkCardIndex": 0,
    });
    let mut e = json!({
        "Attachment": Value::Null,
        "Description": if slot == 0 { "Primary network interface".to_owned() } else { format!("mgmt interface {}", inst.i) },
        "Groups": groups,
        "Ipv6Addresses": ipv6,
        "MacAddress": mac(eni_n as u64 ^ c.s.seed),
        "NetworkInterfaceId": c.eni_id(eni_n),
        "OwnerId": ACCOUNT,
        "PrivateDnsName": dns(&ip),
        "PrivateIpAddress": ip,
        "PrivateIpAddresses": privates,
        "SourceDestCheck": true,
        "Status": "in-use",
        "SubnetId": c.subnet_id(inst.v, inst.l),
        "VpcId": c.vpc_id(inst.v),
        "InterfaceType": "interface",
    });
    if let Some((pip, eip)) = public {
        insert(&mut e, "Association", association(pip, eip, c, eni_n));
    }
    if for_instance {
        insert(&mut e, "Attachment", attachment);
    } else {
        insert(&mut attachment, "InstanceId", inst.id.clone());
        insert(&mut attachment, "InstanceOwnerId", ACCOUNT.to_owned());
        insert(&mut e, "Attachment", attachment);
        insert(&mut e, "AvailabilityZone", c.az(inst.l).to_owned());
        insert(&mut e, "RequesterManaged", Value::Bool(false));
        insert(&mut e, "TagSet", json!([]));
        insert(&mut e, "DenyAllIgwTraffic", Value::Bool(false));
        insert(&mut e, "Operator", json!({"Managed": false}));
    }
    e
}

fn instance_json(c: &Ctx, inst: &Inst) -> Value {
    let mut r = Rng::entity(c.s.seed, "instance-detail", inst.i);
    let ip = c.private_ip(inst, false);
    let itype = r.pick(&INSTANCE_TYPES);
    let arm = itype
        .split('.')
        .next()
        .is_some_and(|family| family.ends_with('g'));
    let launch = time(&mut r);
    let mut enis = vec![eni_json(c, inst, 0, true)];
    if inst.second.is_some() {
        enis.push(eni_json(c, inst, 1, true));
    }
    let mut volumes = vec![json!({
        "DeviceName": "/dev/xvda",
        "Ebs": {"AttachTime": launch, "DeleteOnTermination": true, "Status": "attached", "VolumeId": c.id("vol", inst.i * 2)}
    })];
    if r.percent(30) {
        volumes.push(json!({
            "DeviceName": "/dev/sdf",
            "Ebs": {"AttachTime": launch, "DeleteOnTermination": false, "Status": "attached", "VolumeId": c.id("vol", inst.i * 2 + 1)}
        }));
    }
    let env = r.pick(&["prod", "staging", "dev", "test"]);
    let team = r.pick(&["payments", "search", "platform", "data", "web", "identity"]);
    let mut name_tags = vec![
        ("Name", format!("{team}-{env}-{}", inst.i)),
        ("Environment", env.to_owned()),
        ("Team", team.to_owned()),
    ];
    if r.percent(40) {
        name_tags.push((
            "aws:cloudformation:stack-name",
            format!("{team}-{env}-stack"),
        ));
        name_tags.push(("CostCenter", format!("cc-{}", r.range(1000, 9999))));
    }
    let (code, state) = if inst.running {
        (16, "running")
    } else {
        (80, "stopped")
    };
    let public = public_of(inst, 0);
    let mut v = json!({
        "AmiLaunchIndex": 0,
        "ImageId": c.id("ami", r.below(12)),
        "InstanceId": inst.id,
        "InstanceType": itype,
        "KeyName": format!("{team}-deploy"),
        "LaunchTime": launch,
        "Monitoring": {"State": if r.percent(20) { "enabled" } else { "disabled" }},
        "Placement": {"AvailabilityZone": c.az(inst.l), "GroupName": "", "Tenancy": "default"},
        "PrivateDnsName": dns(&ip),
        "PrivateIpAddress": ip,
        "ProductCodes": [],
        "PublicDnsName": public.map(|(p, _)| public_dns(p)).unwrap_or_default(),
        "State": {"Code": code, "Name": state},
        "StateTransitionReason": if inst.running { String::new() } else { format!("User initiated ({})", time(&mut r).replace('T', " ").replace("+00:00", " GMT")) },
        "SubnetId": c.subnet_id(inst.v, inst.l),
        "VpcId": c.vpc_id(inst.v),
        "Architecture": if arm { "arm64" } else { "x86_64" },
        "BlockDeviceMappings": volumes,
        "ClientToken": format!("{:016x}-{:04x}", r.next_u64(), r.below(0x10000)),
        "EbsOptimized": true,
        "EnaSupport": true,
        "Hypervisor": "xen",
        "NetworkInterfaces": enis,
        "RootDeviceName": "/dev/xvda",
        "RootDeviceType": "ebs",
        "SecurityGroups": group_refs(c, inst.v, &inst.sgs),
        "SourceDestCheck": true,
        "Tags": tags(&name_tags),
    });
    // (two halves: one `json!` this long exceeds the macro recursion limit)
    extend(
        &mut v,
        json!({
            "VirtualizationType": "hvm",
            "CpuOptions": {"CoreCount": r.range(1, 4), "ThreadsPerCore": if arm { 1 } else { 2 }},
            "CapacityReservationSpecification": {"CapacityReservationPreference": "open"},
            "HibernationOptions": {"Configured": false},
            "MetadataOptions": {
                "State": "applied",
                "HttpTokens": if r.percent(60) { "required" } else { "optional" },
                "HttpPutResponseHopLimit": 2,
                "HttpEndpoint": "enabled",
                "HttpProtocolIpv6": "disabled",
                "InstanceMetadataTags": "disabled"
            },
            "EnclaveOptions": {"Enabled": false},
            "BootMode": if arm { "uefi" } else { "uefi-preferred" },
            "PlatformDetails": "Linux/UNIX",
            "UsageOperation": "RunInstances",
            "UsageOperationUpdateTime": launch,
            "PrivateDnsNameOptions": {
                "HostnameType": "ip-name",
                "EnableResourceNameDnsARecord": false,
                "EnableResourceNameDnsAAAARecord": false
            },
            "MaintenanceOptions": {"AutoRecovery": "default", "RebootMigration": "default"},
            "CurrentInstanceBootMode": if arm { "uefi" } else { "legacy-bios" },
            "NetworkPerformanceOptions": {"BandwidthWeighting": "default"},
            "Operator": {"Managed": false}
        }),
    );
    if let Some((p, _)) = public {
        insert(&mut v, "PublicIpAddress", p.to_owned());
    }
    if let Some(a) = &inst.ipv6 {
        insert(&mut v, "Ipv6Address", a.clone());
    }
    if r.percent(50) {
        insert(
            &mut v,
            "IamInstanceProfile",
            json!({
                "Arn": format!("arn:aws:iam::{ACCOUNT}:instance-profile/{team}-{env}-role"),
                "Id": format!("AIPA{:016X}", r.next_u64()),
            }),
        );
    }
    if !inst.running {
        insert(
            &mut v,
            "StateReason",
            json!({"Code": "Client.UserInitiatedShutdown", "Message": "Client.UserInitiatedShutdown: User initiated shutdown"}),
        );
    }
    v
}

/// A network interface in subnet `l` of VPC `v` as describe-network-interfaces prints one that is
/// not attached to an instance (the NAT gateway's, a spare one); callers add the rest.
fn detached_eni(c: &Ctx, v: usize, l: usize, eni_n: usize, ip: &str) -> Value {
    json!({
        "AvailabilityZone": c.az(l),
        "InterfaceType": "interface",
        "Ipv6Addresses": [],
        "MacAddress": mac(eni_n as u64 ^ c.s.seed),
        "NetworkInterfaceId": c.eni_id(eni_n),
        "OwnerId": ACCOUNT,
        "PrivateDnsName": dns(ip),
        "PrivateIpAddress": ip,
        "PrivateIpAddresses": [{"Primary": true, "PrivateDnsName": dns(ip), "PrivateIpAddress": ip}],
        "RequesterId": "AIDAEXAMPLEREQUESTER",
        "RequesterManaged": false,
        "SourceDestCheck": true,
        "Status": "available",
        "SubnetId": c.subnet_id(v, l),
        "TagSet": [],
        "VpcId": c.vpc_id(v),
    })
}

fn enis_doc(c: &Ctx, n: &mut Counts) -> Result<Vec<u8>, String> {
    let mut enis = Vec::new();
    for i in 0..c.s.instances {
        let inst = c.instance(i);
        enis.push(eni_json(c, &inst, 0, false));
        if inst.second.is_some() {
            enis.push(eni_json(c, &inst, 1, false));
        }
    }
    for v in (0..c.nv()).filter(|&v| c.has_nat(v)) {
        let eni_n = c.nat_eni(v);
        let ip = c.host(v, 1, 5);
        let eip = c.eip_for(eni_n);
        let mut e = detached_eni(c, v, 1, eni_n, &ip);
        extend(
            &mut e,
            json!({
                "Association": association(&eip, true, c, eni_n),
                "Attachment": {
                    "AttachTime": "2023-04-02T09:12:44+00:00",
                    "AttachmentId": c.id("ela-attach", eni_n),
                    "DeleteOnTermination": false,
                    "DeviceIndex": 1,
                    "InstanceOwnerId": "amazon-aws",
                    "Status": "attached"
                },
                "Description": format!("Interface for NAT Gateway {}", c.nat_id(v)),
                "Groups": [],
                "InterfaceType": "nat_gateway",
                "PrivateIpAddresses": [{
                    "Association": association(&eip, true, c, eni_n),
                    "Primary": true,
                    "PrivateDnsName": dns(&ip),
                    "PrivateIpAddress": ip
                }],
                "RequesterId": "AWS",
                "RequesterManaged": true,
                "SourceDestCheck": false,
                "Status": "in-use",
            }),
        );
        enis.push(e);
    }
    for u in 0..c.unattached_count() {
        let v = u % c.nv();
        let l = (u / c.nv()) % c.sub_n(v);
        let h = 250 + (u / c.nv() / c.sub_n(v)) % 5;
        let eni_n = c.unattached_eni(u);
        let ip = c.host(v, l, h);
        let mut e = detached_eni(c, v, l, eni_n, &ip);
        extend(
            &mut e,
            json!({
                "Description": format!("spare interface {u}"),
                "Groups": group_refs(c, v, &[0]),
                "TagSet": tags(&[("Name", format!("spare-{u}"))]),
            }),
        );
        enis.push(e);
    }
    n.enis = enis.len();
    list_document(&[], "NetworkInterfaces", enis.into_iter())
}

fn random_public_cidr(r: &mut Rng) -> String {
    let bits = r.pick(&["32", "32", "29", "28", "24", "24", "22", "16"]);
    // Public-looking first octets (never 10, 100.64/10, 127, 172.16/12, 192.168).
    let first = r.pick(&[
        "23", "34", "44", "52", "81", "94", "141", "185", "198", "203",
    ]);
    let b = r.below(256);
    let c = if bits == "16" { 0 } else { r.below(256) };
    let d = match bits {
        "32" => r.below(256),
        "29" => r.below(32) * 8,
        "28" => r.below(16) * 16,
        _ => 0,
    };
    let c = if bits == "22" { c & !3 } else { c };
    format!("{first}.{b}.{c}.{d}/{bits}")
}

fn cidr_ranges(r: &mut Rng, k: usize) -> Value {
    Value::Array(
        (0..k)
            .map(|n| {
                let mut x = json!({"CidrIp": random_public_cidr(r)});
                if n % 2 == 0 {
                    insert(&mut x, "Description", format!("office {}", r.range(1, 40)));
                }
                x
            })
            .collect(),
    )
}

/// An `IpPermissions` item: `sources` holds whichever of `IpRanges`, `Ipv6Ranges`,
/// `PrefixListIds`, `UserIdGroupPairs` it has (the others print as `[]`).
fn permission(proto: &str, ports: Option<(i64, i64)>, sources: Value) -> Value {
    let mut p = json!({
        "IpProtocol": proto,
        "IpRanges": [],
        "Ipv6Ranges": [],
        "PrefixListIds": [],
        "UserIdGroupPairs": [],
    });
    if let Some((from, to)) = ports {
        extend(&mut p, json!({"FromPort": from, "ToPort": to}));
    }
    extend(&mut p, sources);
    p
}

fn sg_pair(c: &Ctx, v: usize, m: usize, description: Option<&str>) -> Value {
    let mut x = json!({"GroupId": c.sg_id(v, m), "UserId": ACCOUNT});
    if let Some(d) = description {
        extend(&mut x, json!({ "Description": d }));
    }
    x
}

/// One of thirteen common rule shapes, mixing CIDRs, IPv6, security-group references and prefix lists.
fn ingress_rule(c: &Ctx, r: &mut Rng, v: usize, m: usize, kind: usize) -> Value {
    let sg_n = c.sg_n(v);
    let anywhere = json!([{"CidrIp": "0.0.0.0/0"}]);
    match kind {
        0 => {
            let k = r.range(1, 4);
            let mut sources = json!({ "IpRanges": cidr_ranges(r, k) });
            if r.percent(30) {
                let pl = c.pl_id(r.below(c.s.prefix_lists));
                extend(
                    &mut sources,
                    json!({"PrefixListIds": [{"Description": "corporate VPN", "PrefixListId": pl}]}),
                );
            }
            permission("tcp", Some((22, 22)), sources)
        }
        1 => {
            let mut sources =
                json!({"IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "HTTPS"}]});
            if c.has_ipv6(v) {
                extend(
                    &mut sources,
                    json!({"Ipv6Ranges": [{"CidrIpv6": "::/0", "Description": "HTTPS"}]}),
                );
            }
            permission("tcp", Some((443, 443)), sources)
        }
        2 => permission("tcp", Some((80, 80)), json!({ "IpRanges": anywhere })),
        3 => {
            let lo = 8000 + 10 * r.below(10) as i64;
            let pair = sg_pair(c, v, r.below(sg_n), Some("from the web tier"));
            permission(
                "tcp",
                Some((lo, lo + 10)),
                json!({ "UserIdGroupPairs": [pair] }),
            )
        }
        4 => {
            let pair = sg_pair(c, v, r.below(sg_n), Some("app servers"));
            let vpc = json!([{"CidrIp": c.vpc_cidr(v), "Description": "VPC"}]);
            permission(
                "tcp",
                Some((5432, 5432)),
                json!({"UserIdGroupPairs": [pair], "IpRanges": vpc}),
            )
        }
        5 => {
            let (a, b) = (r.below(c.s.prefix_lists), r.below(c.s.prefix_lists));
            let mut pls = vec![json!({"PrefixListId": c.pl_id(a)})];
            if b != a {
                pls.push(json!({"Description": "partners", "PrefixListId": c.pl_id(b)}));
            }
            permission("tcp", Some((22, 22)), json!({ "PrefixListIds": pls }))
        }
        6 => permission(
            "udp",
            Some((1194, 1194)),
            json!({"IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "OpenVPN"}]}),
        ),
        7 => permission(
            "icmp",
            Some((8, -1)),
            json!({"IpRanges": [{"CidrIp": "10.0.0.0/8"}]}),
        ),
        8 => permission(
            "-1",
            None,
            json!({"UserIdGroupPairs": [sg_pair(c, v, m, Some("self"))]}),
        ),
        9 => permission(
            "tcp",
            Some((3389, 3389)),
            json!({ "IpRanges": cidr_ranges(r, 1) }),
        ),
        10 => permission(
            "tcp",
            Some((443, 443)),
            json!({"PrefixListIds": [{"PrefixListId": c.pl_id(c.pl_cloudfront())}]}),
        ),
        11 => {
            let k = r.range(1, 2);
            permission(
                "tcp",
                Some((1024, 65535)),
                json!({ "IpRanges": cidr_ranges(r, k) }),
            )
        }
        _ => permission(
            "icmpv6",
            Some((-1, -1)),
            json!({"Ipv6Ranges": [{"CidrIpv6": "::/0"}]}),
        ),
    }
}

fn security_group_json(c: &Ctx, v: usize, m: usize) -> Value {
    let mut r = Rng::entity(c.s.seed, "security-group", c.global(v, m));
    let ingress: Vec<Value> = if m == 0 {
        let pair = sg_pair(c, v, 0, None);
        vec![permission(
            "-1",
            None,
            json!({ "UserIdGroupPairs": [pair] }),
        )]
    } else {
        let rules = r.range(3, 8);
        // Always SSH from somewhere (kind 0), so the target's groups have something to evaluate.
        let mut kinds = BTreeSet::from([0]);
        while kinds.len() < rules {
            kinds.insert(r.below(13));
        }
        kinds
            .into_iter()
            .map(|kind| ingress_rule(c, &mut r, v, m, kind))
            .collect()
    };
    let egress = if m != 0 && r.percent(20) {
        let pair = sg_pair(c, v, r.below(c.sg_n(v)), None);
        vec![
            permission(
                "tcp",
                Some((443, 443)),
                json!({"IpRanges": [{"CidrIp": "0.0.0.0/0"}]}),
            ),
            permission(
                "tcp",
                Some((5432, 5432)),
                json!({ "UserIdGroupPairs": [pair] }),
            ),
        ]
    } else {
        let mut all = json!({"IpRanges": [{"CidrIp": "0.0.0.0/0"}]});
        if c.has_ipv6(v) {
            extend(&mut all, json!({"Ipv6Ranges": [{"CidrIpv6": "::/0"}]}));
        }
        vec![permission("-1", None, all)]
    };
    let name = c.sg_name(v, m);
    let id = c.sg_id(v, m);
    json!({
        "GroupId": id,
        "IpPermissionsEgress": egress,
        "Tags": if m == 0 { json!([]) } else { tags(&[("Name", name.clone())]) },
        "VpcId": c.vpc_id(v),
        "SecurityGroupArn": format!("arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/{id}"),
        "OwnerId": ACCOUNT,
        "GroupName": name,
        "Description": if m == 0 { "default VPC security group".to_owned() } else { format!("tier {m} of vpc {v}") },
        "IpPermissions": ingress,
    })
}

/// `count` entities of a per-VPC kind (entity `g` is local `g / vpcs` of VPC `g % vpcs`) as one
/// document under `key`; also returns how many items their `inner` lists hold in all.
fn per_vpc_document(
    c: &Ctx,
    count: usize,
    key: &str,
    inner: &[&str],
    f: impl Fn(&Ctx, usize, usize) -> Value,
) -> Result<(Vec<u8>, usize), String> {
    let items: Vec<Value> = (0..count).map(|g| f(c, g % c.nv(), g / c.nv())).collect();
    let total = items
        .iter()
        .flat_map(|x| inner.iter().map(move |k| array(x, k).len()))
        .sum();
    Ok((list_document(&[], key, items.into_iter())?, total))
}

fn security_groups_doc(c: &Ctx, n: &mut Counts) -> Result<Vec<u8>, String> {
    let (doc, permissions) = per_vpc_document(
        c,
        c.s.security_groups,
        "SecurityGroups",
        &["IpPermissions", "IpPermissionsEgress"],
        security_group_json,
    )?;
    n.security_groups = c.s.security_groups;
    n.sg_permissions = permissions;
    Ok(doc)
}

/// (rule number, egress, protocol number, action, CIDR block, ports or ICMP type/code)
type NaclRule<'a> = (i64, bool, &'a str, &'a str, &'a str, Option<(i64, i64)>);

fn nacl_entry((rule, egress, proto, action, cidr, ports): NaclRule<'_>) -> Value {
    let mut e = json!({
        "Egress": egress,
        "Protocol": proto,
        "RuleAction": action,
        "RuleNumber": rule,
    });
    let key = if cidr.contains(':') {
        "Ipv6CidrBlock"
    } else {
        "CidrBlock"
    };
    insert(&mut e, key, cidr.to_owned());
    if let Some((from, to)) = ports {
        if proto == "1" || proto == "58" {
            insert(&mut e, "IcmpTypeCode", json!({"Code": to, "Type": from}));
        } else {
            insert(&mut e, "PortRange", json!({"From": from, "To": to}));
        }
    }
    e
}

fn nacl_json(c: &Ctx, v: usize, m: usize) -> Value {
    let mut r = Rng::entity(c.s.seed, "nacl", c.global(v, m));
    let v6 = c.has_ipv6(v);
    let any6 = if v6 { "::/0" } else { "" };
    let office = random_public_cidr(&mut r);
    let blocked = random_public_cidr(&mut r);
    let vpc = c.vpc_cidr(v);
    let all = None;
    // An empty CIDR ("::/0" in a VPC without IPv6) drops the rule.
    let mut rules: Vec<NaclRule<'_>> = if m == 0 {
        vec![
            (100, true, "-1", "allow", "0.0.0.0/0", all),
            (101, true, "-1", "allow", any6, all),
            (100, false, "-1", "allow", "0.0.0.0/0", all),
            (101, false, "-1", "allow", any6, all),
        ]
    } else {
        vec![
            (90, true, "6", "deny", "0.0.0.0/0", Some((25, 25))),
            (100, true, "-1", "allow", "0.0.0.0/0", all),
            (101, true, "-1", "allow", any6, all),
            (100, false, "6", "allow", &office, Some((22, 22))),
            (110, false, "6", "deny", "0.0.0.0/0", Some((22, 22))),
            (120, false, "6", "allow", "0.0.0.0/0", Some((80, 80))),
            (130, false, "6", "allow", "0.0.0.0/0", Some((443, 443))),
            (131, false, "6", "allow", any6, Some((443, 443))),
            (140, false, "6", "allow", "0.0.0.0/0", Some((1024, 65535))),
            (141, false, "6", "allow", any6, Some((1024, 65535))),
            (150, false, "17", "deny", "0.0.0.0/0", Some((1194, 1194))),
            (160, false, "1", "allow", "10.0.0.0/8", Some((8, -1))),
            (170, false, "6", "deny", &blocked, Some((3389, 3389))),
            (180, false, "-1", "allow", &vpc, all),
            (190, false, "17", "allow", "0.0.0.0/0", Some((1024, 65535))),
        ]
    };
    for egress in [true, false] {
        rules.push((32767, egress, "-1", "deny", "0.0.0.0/0", all));
        rules.push((32768, egress, "-1", "deny", any6, all));
    }
    let mut entries: Vec<Value> = rules
        .into_iter()
        .filter(|rule| !rule.4.is_empty())
        .map(nacl_entry)
        .collect();
    // A few "block this address" denies in front, as people add them.
    if m != 0 {
        for k in 0..r.range(1, 4) {
            let cidr = random_public_cidr(&mut r);
            entries.push(nacl_entry((
                50 + 10 * k as i64,
                false,
                "-1",
                "deny",
                &cidr,
                None,
            )));
        }
    }
    // As the CLI lists them: egress first, then by rule number.
    entries.sort_by_key(|e| {
        (
            !e.get("Egress").and_then(Value::as_bool).unwrap_or(false),
            e.get("RuleNumber").and_then(Value::as_i64).unwrap_or(0),
        )
    });
    let id = c.nacl_id(v, m);
    let associations: Vec<Value> = (0..c.sub_n(v))
        .filter(|&l| c.subnet_nacl(v, l) == m)
        .map(|l| {
            json!({
                "NetworkAclAssociationId": c.id("aclassoc", c.global(v, l)),
                "NetworkAclId": id,
                "SubnetId": c.subnet_id(v, l),
            })
        })
        .collect();
    json!({
        "Associations": associations,
        "Entries": entries,
        "IsDefault": m == 0,
        "NetworkAclId": id,
        "Tags": if m == 0 { json!([]) } else { tags(&[("Name", format!("nacl-{v}-{m}"))]) },
        "VpcId": c.vpc_id(v),
        "OwnerId": ACCOUNT,
    })
}

fn nacls_doc(c: &Ctx, n: &mut Counts) -> Result<Vec<u8>, String> {
    let (doc, entries) = per_vpc_document(c, c.s.nacls, "NetworkAcls", &["Entries"], nacl_json)?;
    n.nacls = c.s.nacls;
    n.nacl_entries = entries;
    Ok(doc)
}

fn route(dest_key: &str, dest: &str, target_key: &str, target: &str, state: &str) -> Value {
    let origin = if target == "local" {
        "CreateRouteTable"
    } else {
        "CreateRoute"
    };
    let mut x = json!({"Origin": origin, "State": state});
    insert(&mut x, dest_key, dest.to_owned());
    insert(&mut x, target_key, target.to_owned());
    x
}

fn route_table_json(c: &Ctx, v: usize, m: usize) -> Value {
    let mut r = Rng::entity(c.s.seed, "route-table", c.global(v, m));
    let id = c.rtb_id(v, m);
    let v4 = "DestinationCidrBlock";
    let v6k = "DestinationIpv6CidrBlock";
    let mut routes = vec![route(v4, &c.vpc_cidr(v), "GatewayId", "local", "active")];
    if c.has_ipv6(v) {
        routes.push(route(v6k, &c.vpc_v6(v), "GatewayId", "local", "active"));
    }
    if c.rt_public(v, m) {
        routes.push(route(v4, "0.0.0.0/0", "GatewayId", &c.igw_id(v), "active"));
        if c.has_ipv6(v) {
            routes.push(route(v6k, "::/0", "GatewayId", &c.igw_id(v), "active"));
        }
    } else {
        if c.has_nat(v) {
            routes.push(route(
                v4,
                "0.0.0.0/0",
                "NatGatewayId",
                &c.nat_id(v),
                "active",
            ));
        }
        if c.has_eigw(v) {
            routes.push(route(
                v6k,
                "::/0",
                "EgressOnlyInternetGatewayId",
                &c.eigw_id(v),
                "active",
            ));
        }
    }
    if r.percent(30) {
        let peer = format!("10.{}.0.0/16", (v + 1) % 256);
        routes.push(route(
            v4,
            &peer,
            "VpcPeeringConnectionId",
            &c.id("pcx", v),
            "active",
        ));
    }
    if r.percent(30) {
        routes.push(route(
            v4,
            "172.16.0.0/12",
            "TransitGatewayId",
            &c.id("tgw", 0),
            "active",
        ));
    }
    let vpce = c.id("vpce", v);
    if r.percent(60) {
        routes.push(route(
            "DestinationPrefixListId",
            &c.pl_id(c.pl_s3()),
            "GatewayId",
            &vpce,
            "active",
        ));
    }
    if r.percent(25) {
        routes.push(route(
            "DestinationPrefixListId",
            &c.pl_id(c.pl_dynamodb()),
            "GatewayId",
            &vpce,
            "active",
        ));
    }
    if v < c.s.instances && r.percent(10) {
        // Through an appliance: instance `v` (in this VPC) and its primary ENI.
        let mut x = route(
            v4,
            "100.64.0.0/10",
            "NetworkInterfaceId",
            &c.eni_id(v * ENI_SLOTS),
            "active",
        );
        insert(&mut x, "InstanceOwnerId", ACCOUNT.to_owned());
        routes.push(x);
    }
    if r.percent(10) {
        let dead = format!("192.168.{}.0/24", r.below(256));
        routes.push(route(
            v4,
            &dead,
            "NatGatewayId",
            &c.id("nat", 100_000 + v),
            "blackhole",
        ));
    }
    let mut associations = Vec::new();
    if m == 0 {
        associations.push(json!({
            "Main": true,
            "RouteTableAssociationId": c.id("rtbassoc", c.global(v, m) + 1_000_000),
            "RouteTableId": id,
            "AssociationState": {"State": "associated"},
        }));
    } else {
        for l in (0..c.sub_n(v)).filter(|&l| c.subnet_rt(v, l) == m) {
            associations.push(json!({
                "Main": false,
                "RouteTableAssociationId": c.id("rtbassoc", c.global(v, l)),
                "RouteTableId": id,
                "SubnetId": c.subnet_id(v, l),
                "AssociationState": {"State": "associated"},
            }));
        }
    }
    json!({
        "Associations": associations,
        "PropagatingVgws": [],
        "RouteTableId": id,
        "Routes": routes,
        "Tags": tags(&[("Name", format!("{}-rt-{v}-{m}", if c.rt_public(v, m) { "public" } else { "private" }))]),
        "VpcId": c.vpc_id(v),
        "OwnerId": ACCOUNT,
    })
}

fn route_tables_doc(c: &Ctx, n: &mut Counts) -> Result<Vec<u8>, String> {
    let (doc, routes) = per_vpc_document(
        c,
        c.s.route_tables,
        "RouteTables",
        &["Routes"],
        route_table_json,
    )?;
    n.route_tables = c.s.route_tables;
    n.routes = routes;
    Ok(doc)
}

fn igws_doc(c: &Ctx, n: &mut Counts) -> Result<Vec<u8>, String> {
    let mut igws: Vec<Value> = (0..c.nv())
        .filter(|&v| c.has_igw(v))
        .map(|v| {
            json!({
                "Attachments": [{"State": "available", "VpcId": c.vpc_id(v)}],
                "InternetGatewayId": c.igw_id(v),
                "OwnerId": ACCOUNT,
                "Tags": tags(&[("Name", format!("igw-vpc-{v}"))]),
            })
        })
        .collect();
    // Detached leftovers, as real accounts have.
    for k in 0..c.nv().div_ceil(10) {
        igws.push(json!({
            "Attachments": [],
            "InternetGatewayId": c.id("igw", 1_000_000 + k),
            "OwnerId": ACCOUNT,
            "Tags": [],
        }));
    }
    n.internet_gateways = igws.len();
    list_document(&[], "InternetGateways", igws.into_iter())
}

fn eigws_doc(c: &Ctx, n: &mut Counts) -> Result<Vec<u8>, String> {
    let eigws: Vec<Value> = (0..c.nv())
        .filter(|&v| c.has_eigw(v))
        .map(|v| {
            json!({
                "Attachments": [{"State": "attached", "VpcId": c.vpc_id(v)}],
                "EgressOnlyInternetGatewayId": c.eigw_id(v),
                "Tags": [],
            })
        })
        .collect();
    n.egress_only_gateways = eigws.len();
    list_document(&[], "EgressOnlyInternetGateways", eigws.into_iter())
}

fn subnet_json(c: &Ctx, v: usize, l: usize) -> Value {
    let g = c.global(v, l);
    let id = c.subnet_id(v, l);
    let v6: Vec<Value> = if c.has_ipv6(v) {
        vec![json!({
            "AssociationId": c.id("subnet-cidr-assoc", g),
            "Ipv6CidrBlock": format!("{}::/64", c.subnet_v6_prefix(v, l)),
            "Ipv6CidrBlockState": {"State": "associated"},
            "Ipv6AddressAttribute": "public",
            "IpSource": "amazon",
        })]
    } else {
        Vec::new()
    };
    let public = c.subnet_public(v, l);
    json!({
        "AvailabilityZoneId": c.az_id(l),
        "MapCustomerOwnedIpOnLaunch": false,
        "OwnerId": ACCOUNT,
        "AssignIpv6AddressOnCreation": false,
        "Ipv6CidrBlockAssociationSet": v6,
        "Tags": tags(&[("Name", format!("{}-{v}-{l}", if public { "public" } else { "private" }))]),
        "SubnetArn": format!("arn:aws:ec2:{REGION}:{ACCOUNT}:subnet/{id}"),
        "EnableDns64": false,
        "Ipv6Native": false,
        "PrivateDnsNameOptionsOnLaunch": {
            "HostnameType": "ip-name",
            "EnableResourceNameDnsARecord": false,
            "EnableResourceNameDnsAAAARecord": false
        },
        "BlockPublicAccessStates": {"InternetGatewayBlockMode": "off"},
        "SubnetId": id,
        "State": "available",
        "VpcId": c.vpc_id(v),
        "CidrBlock": c.subnet_cidr(v, l),
        "AvailableIpAddressCount": 251usize.saturating_sub(share(c.s.instances, c.nv(), v) / c.sub_n(v).max(1)),
        "AvailabilityZone": c.az(l),
        "DefaultForAz": false,
        "MapPublicIpOnLaunch": public,
    })
}

fn subnets_doc(c: &Ctx, n: &mut Counts) -> Result<Vec<u8>, String> {
    let (doc, _) = per_vpc_document(c, c.s.subnets, "Subnets", &[], subnet_json)?;
    n.subnets = c.s.subnets;
    Ok(doc)
}

fn vpcs_doc(c: &Ctx, n: &mut Counts) -> Result<Vec<u8>, String> {
    let vpcs: Vec<Value> = (0..c.nv())
        .map(|v| {
            let v6: Vec<Value> = if c.has_ipv6(v) {
                vec![json!({
                    "AssociationId": c.id("vpc-cidr-assoc", v + 1_000_000),
                    "Ipv6CidrBlock": c.vpc_v6(v),
                    "Ipv6CidrBlockState": {"State": "associated"},
                    "NetworkBorderGroup": REGION,
                    "Ipv6Pool": "Amazon",
                    "Ipv6AddressAttribute": "public",
                    "IpSource": "amazon",
                })]
            } else {
                Vec::new()
            };
            json!({
                "OwnerId": ACCOUNT,
                "InstanceTenancy": "default",
                "Ipv6CidrBlockAssociationSet": v6,
                "CidrBlockAssociationSet": [{
                    "AssociationId": c.id("vpc-cidr-assoc", v),
                    "CidrBlock": c.vpc_cidr(v),
                    "CidrBlockState": {"State": "associated"}
                }],
                "IsDefault": false,
                "BlockPublicAccessStates": {"InternetGatewayBlockMode": "off"},
                "Tags": tags(&[("Name", format!("vpc-{v}"))]),
                "VpcId": c.vpc_id(v),
                "State": "available",
                "CidrBlock": c.vpc_cidr(v),
                "DhcpOptionsId": c.id("dopt", 0),
            })
        })
        .collect();
    n.vpcs = vpcs.len();
    list_document(&[], "Vpcs", vpcs.into_iter())
}

fn address_json(c: &Ctx, eni_n: usize, public_ip: &str, attached: Option<(&str, String)>) -> Value {
    let mut a = json!({
        "AllocationId": c.id("eipalloc", eni_n),
        "Domain": "vpc",
        "PublicIp": public_ip,
        "PublicIpv4Pool": "amazon",
        "NetworkBorderGroup": REGION,
        "Tags": [],
    });
    if let Some((instance, private_ip)) = attached {
        insert(&mut a, "AssociationId", c.id("eipassoc", eni_n));
        insert(&mut a, "NetworkInterfaceId", c.eni_id(eni_n));
        insert(&mut a, "NetworkInterfaceOwnerId", ACCOUNT.to_owned());
        insert(&mut a, "PrivateIpAddress", private_ip);
        if !instance.is_empty() {
            insert(&mut a, "InstanceId", instance.to_owned());
        }
    }
    a
}

fn addresses_doc(c: &Ctx, n: &mut Counts) -> Result<Vec<u8>, String> {
    let mut addrs = Vec::new();
    for i in 0..c.s.instances {
        let inst = c.instance(i);
        if let Some(ip) = &inst.eip {
            addrs.push(address_json(
                c,
                i * ENI_SLOTS,
                ip,
                Some((&inst.id, c.private_ip(&inst, false))),
            ));
        }
        if let Some(ip) = inst.second.as_ref().and_then(|s| s.eip.as_ref()) {
            addrs.push(address_json(
                c,
                i * ENI_SLOTS + 1,
                ip,
                Some((&inst.id, c.private_ip(&inst, true))),
            ));
        }
    }
    for v in (0..c.nv()).filter(|&v| c.has_nat(v)) {
        let eni_n = c.nat_eni(v);
        addrs.push(address_json(
            c,
            eni_n,
            &c.eip_for(eni_n),
            Some(("", c.host(v, 1, 5))),
        ));
    }
    for k in 0..c.nv() {
        let eni_n = c.unassociated_eip(k);
        addrs.push(address_json(c, eni_n, &c.eip_for(eni_n), None));
    }
    n.addresses = addrs.len();
    list_document(&[], "Addresses", addrs.into_iter())
}

fn statuses_doc(c: &Ctx, n: &mut Counts) -> Result<Vec<u8>, String> {
    let statuses = (0..c.s.instances).map(|i| {
        let inst = c.instance(i);
        let mut r = Rng::entity(c.s.seed, "status", i);
        if inst.running {
            let impaired = r.percent(1);
            let check = |ok: bool| {
                json!({
                    "Details": [{"Name": "reachability", "Status": if ok { "passed" } else { "failed" }}],
                    "Status": if ok { "ok" } else { "impaired" },
                })
            };
            let mut s = json!({
                "AvailabilityZone": c.az(inst.l),
                "InstanceId": inst.id,
                "InstanceState": {"Code": 16, "Name": "running"},
                "InstanceStatus": check(!impaired),
                "SystemStatus": check(true),
                "AttachedEbsStatus": {"Details": [{"Name": "reachability", "Status": "passed"}], "Status": "ok"},
                "Operator": {"Managed": false},
            });
            if r.percent(2) {
                insert(
                    &mut s,
                    "Events",
                    json!([{
                        "InstanceEventId": c.id("instance-event", i),
                        "Code": "system-reboot",
                        "Description": "scheduled reboot",
                        "NotBefore": time(&mut r),
                    }]),
                );
            }
            s
        } else {
            json!({
                "AvailabilityZone": c.az(inst.l),
                "InstanceId": inst.id,
                "InstanceState": {"Code": 80, "Name": "stopped"},
                "InstanceStatus": {"Status": "not-applicable"},
                "SystemStatus": {"Status": "not-applicable"},
                "Operator": {"Managed": false},
            })
        }
    });
    n.instance_statuses = c.s.instances;
    list_document(&[], "InstanceStatuses", statuses)
}

/// The CIDRs of prefix list `k`: customer lists get 5–60 public blocks (every seventh is IPv6).
fn prefix_list_cidrs(c: &Ctx, k: usize) -> Vec<String> {
    let mut r = Rng::entity(c.s.seed, "prefix-list", k);
    let count = if k == c.pl_s3() {
        6
    } else if k == c.pl_dynamodb() {
        4
    } else if k == c.pl_cloudfront() {
        55
    } else {
        r.range(5, 60)
    };
    let v6 = k < c.s.prefix_lists && k % 7 == 6;
    (0..count)
        .map(|n| {
            if v6 {
                format!("2a05:d0{:02x}:{:x}::/48", k % 256, n)
            } else {
                random_public_cidr(&mut r)
            }
        })
        .collect()
}

fn prefix_list_name(c: &Ctx, k: usize) -> String {
    if k == c.pl_s3() {
        format!("com.amazonaws.{REGION}.s3")
    } else if k == c.pl_dynamodb() {
        format!("com.amazonaws.{REGION}.dynamodb")
    } else if k == c.pl_cloudfront() {
        "com.amazonaws.global.cloudfront.origin-facing".to_owned()
    } else {
        format!("partner-ranges-{k}")
    }
}

fn managed_prefix_lists_doc(c: &Ctx, n: &mut Counts) -> Result<Vec<u8>, String> {
    let lists: Vec<Value> = (0..c.pl_count())
        .map(|k| {
            let customer = k < c.s.prefix_lists;
            let owner = if customer { ACCOUNT } else { "aws" };
            let id = c.pl_id(k);
            let v6 = customer && k % 7 == 6;
            json!({
                "PrefixListId": id,
                "AddressFamily": if v6 { "IPv6" } else { "IPv4" },
                "State": "create-complete",
                "PrefixListArn": format!("arn:aws:ec2:{REGION}:{owner}:prefix-list/{id}"),
                "PrefixListName": prefix_list_name(c, k),
                "MaxEntries": if customer { json!(60) } else { Value::Null },
                "Version": if customer { json!(1 + k % 5) } else { Value::Null },
                "Tags": [],
                "OwnerId": if customer { ACCOUNT } else { "AWS" },
            })
        })
        .map(|mut v| {
            // AWS-managed lists print no MaxEntries / Version.
            if let Value::Object(m) = &mut v {
                m.retain(|_, x| !x.is_null());
            }
            v
        })
        .collect();
    n.prefix_lists = lists.len();
    list_document(&[], "PrefixLists", lists.into_iter())
}

/// As `scripts/collect.sh` writes it: `--query "{PrefixListId: 'pl-…', Entries: Entries}"`.
fn prefix_list_entries_doc(c: &Ctx, k: usize) -> Result<Vec<u8>, String> {
    let entries = prefix_list_cidrs(c, k)
        .into_iter()
        .enumerate()
        .map(|(n, cidr)| json!({"Cidr": cidr, "Description": format!("range {n}")}));
    list_document(
        &[("PrefixListId", Value::String(c.pl_id(k)))],
        "Entries",
        entries,
    )
}

fn prefix_lists_doc(c: &Ctx, _: &mut Counts) -> Result<Vec<u8>, String> {
    let lists = [c.pl_s3(), c.pl_dynamodb()].into_iter().map(|k| {
        json!({
            "Cidrs": prefix_list_cidrs(c, k),
            "PrefixListId": c.pl_id(k),
            "PrefixListName": prefix_list_name(c, k),
        })
    });
    list_document(&[], "PrefixLists", lists)
}

fn nat_gateways_doc(c: &Ctx, n: &mut Counts) -> Result<Vec<u8>, String> {
    let nats: Vec<Value> = (0..c.nv())
        .filter(|&v| c.has_nat(v))
        .map(|v| {
            let eni_n = c.nat_eni(v);
            json!({
                "CreateTime": "2023-04-02T09:12:00+00:00",
                "NatGatewayAddresses": [{
                    "AllocationId": c.id("eipalloc", eni_n),
                    "NetworkInterfaceId": c.eni_id(eni_n),
                    "PrivateIp": c.host(v, 1, 5),
                    "PublicIp": c.eip_for(eni_n),
                    "AssociationId": c.id("eipassoc", eni_n),
                    "IsPrimary": true,
                    "Status": "succeeded"
                }],
                "NatGatewayId": c.nat_id(v),
                "State": "available",
                "SubnetId": c.subnet_id(v, 1),
                "VpcId": c.vpc_id(v),
                "Tags": tags(&[("Name", format!("nat-{v}"))]),
                "ConnectivityType": "public",
            })
        })
        .collect();
    n.nat_gateways = nats.len();
    list_document(&[], "NatGateways", nats.into_iter())
}

fn flow_logs_doc(c: &Ctx, n: &mut Counts) -> Result<Vec<u8>, String> {
    let format = "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}";
    let mut logs = Vec::new();
    for v in (0..c.nv()).filter(|v| v % 2 == 0) {
        logs.push(json!({
            "CreationTime": "2024-01-15T10:00:00+00:00",
            "DeliverLogsPermissionArn": format!("arn:aws:iam::{ACCOUNT}:role/flow-logs"),
            "DeliverLogsStatus": "SUCCESS",
            "FlowLogId": c.id("fl", v),
            "FlowLogStatus": "ACTIVE",
            "LogGroupName": format!("/vpc/flow/{v}"),
            "ResourceId": c.vpc_id(v),
            "TrafficType": "ALL",
            "LogDestinationType": "cloud-watch-logs",
            "LogFormat": format,
            "Tags": [],
            "MaxAggregationInterval": 600,
        }));
    }
    for g in (0..c.s.subnets).filter(|g| g % 10 == 3) {
        let (v, l) = (g % c.nv(), g / c.nv());
        logs.push(json!({
            "CreationTime": "2024-02-20T08:30:00+00:00",
            "DeliverLogsStatus": "SUCCESS",
            "FlowLogId": c.id("fl", 1_000_000 + g),
            "FlowLogStatus": "ACTIVE",
            "ResourceId": c.subnet_id(v, l),
            "TrafficType": "REJECT",
            "LogDestinationType": "s3",
            "LogDestination": "arn:aws:s3:::example-flow-logs/rejects/",
            "LogFormat": format,
            "Tags": [],
            "MaxAggregationInterval": 60,
            "DestinationOptions": {"FileFormat": "plain-text", "HiveCompatiblePartitions": false, "PerHourPartition": false},
        }));
    }
    n.flow_logs = logs.len();
    list_document(&[], "FlowLogs", logs.into_iter())
}

// ---------------------------------------------------------------------------------------------------
// Validation: parse everything back and check counts and references.

fn array<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// Parses every document with serde_json, counts what it holds and checks that every reference
/// (subnet, VPC, security group, prefix list, ENI, gateway) resolves and every id is unique.
/// Returns the counts, or every problem found.
pub fn validate(account: &Account) -> Result<Counts, String> {
    let mut by_key: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    let mut problems = Vec::new();
    let mut n = Counts {
        documents: account.documents.len(),
        ..Counts::default()
    };
    for (k, d) in account.documents.iter().enumerate() {
        match serde_json::from_slice::<Value>(&d.bytes) {
            Ok(Value::Object(m)) => {
                if m.contains_key("Entries") {
                    n.prefix_list_entry_documents += 1;
                    if !m.get("PrefixListId").is_some_and(Value::is_string) {
                        problems.push(format!("document {k}: Entries without PrefixListId"));
                    }
                    by_key
                        .entry("Entries".to_owned())
                        .or_default()
                        .push(Value::Object(m));
                } else {
                    for (key, value) in m {
                        by_key.entry(key).or_default().push(value);
                    }
                }
            }
            Ok(_) => problems.push(format!("document {k} ({}) is not an object", d.command)),
            Err(e) => problems.push(format!("document {k} ({}): {e}", d.command)),
        }
    }
    let items = |key: &str| -> Vec<&Value> {
        by_key
            .get(key)
            .map(|docs| {
                docs.iter()
                    .flat_map(|d| d.as_array().map_or(&[][..], Vec::as_slice))
                    .collect()
            })
            .unwrap_or_default()
    };
    // The ids under `key` in `list`, each required and distinct.
    let ids = |list: &[&Value], key: &str, problems: &mut Vec<String>| {
        let mut set = BTreeSet::new();
        for x in list {
            let id = str_of(x, key).to_owned();
            if id.is_empty() || !set.insert(id.clone()) {
                problems.push(format!("missing or repeated {key} `{id}`"));
            }
        }
        set
    };
    let [vpcs, subnets, sgs, enis, igws, eigws, nats, nacls, rts] = [
        "Vpcs",
        "Subnets",
        "SecurityGroups",
        "NetworkInterfaces",
        "InternetGateways",
        "EgressOnlyInternetGateways",
        "NatGateways",
        "NetworkAcls",
        "RouteTables",
    ]
    .map(items);
    let [vpc_ids, subnet_ids, sg_ids, eni_ids, igw_ids, eigw_ids, nat_ids, _, _] = [
        (&vpcs, "VpcId"),
        (&subnets, "SubnetId"),
        (&sgs, "GroupId"),
        (&enis, "NetworkInterfaceId"),
        (&igws, "InternetGatewayId"),
        (&eigws, "EgressOnlyInternetGatewayId"),
        (&nats, "NatGatewayId"),
        (&nacls, "NetworkAclId"),
        (&rts, "RouteTableId"),
    ]
    .map(|(list, key)| ids(list, key, &mut problems));
    let pls = items("PrefixLists");
    let labelled: BTreeSet<String> = by_key
        .get("Entries")
        .map(|docs| {
            docs.iter()
                .map(|d| str_of(d, "PrefixListId").to_owned())
                .collect()
        })
        .unwrap_or_default();
    let instances: Vec<&Value> = items("Reservations")
        .into_iter()
        .flat_map(|r| array(r, "Instances"))
        .collect();
    let instance_ids = ids(&instances, "InstanceId", &mut problems);
    let statuses = items("InstanceStatuses");
    let addresses = items("Addresses");
    ids(&addresses, "PublicIp", &mut problems);

    let mut check = |ok: bool, what: String| {
        if !ok {
            problems.push(what);
        }
    };
    for s in &subnets {
        check(
            vpc_ids.contains(str_of(s, "VpcId")),
            format!("subnet {} in an unknown VPC", str_of(s, "SubnetId")),
        );
    }
    for i in &instances {
        let id = str_of(i, "InstanceId");
        check(
            subnet_ids.contains(str_of(i, "SubnetId")),
            format!("{id}: unknown subnet"),
        );
        for e in array(i, "NetworkInterfaces") {
            check(
                eni_ids.contains(str_of(e, "NetworkInterfaceId")),
                format!("{id}: ENI not in describe-network-interfaces"),
            );
            for g in array(e, "Groups") {
                check(
                    sg_ids.contains(str_of(g, "GroupId")),
                    format!("{id}: unknown security group"),
                );
            }
        }
    }
    for e in &enis {
        if let Some(a) = e
            .get("Attachment")
            .and_then(|a| a.get("InstanceId"))
            .and_then(Value::as_str)
        {
            check(
                instance_ids.contains(a),
                format!("ENI attached to unknown instance {a}"),
            );
        }
        check(
            subnet_ids.contains(str_of(e, "SubnetId")),
            format!(
                "ENI {} in an unknown subnet",
                str_of(e, "NetworkInterfaceId")
            ),
        );
    }
    for sg in &sgs {
        check(
            vpc_ids.contains(str_of(sg, "VpcId")),
            format!("{} in an unknown VPC", str_of(sg, "GroupId")),
        );
        for p in array(sg, "IpPermissions")
            .iter()
            .chain(array(sg, "IpPermissionsEgress"))
        {
            n.sg_permissions += 1;
            for pair in array(p, "UserIdGroupPairs") {
                check(
                    sg_ids.contains(str_of(pair, "GroupId")),
                    format!("{}: reference to an unknown group", str_of(sg, "GroupId")),
                );
            }
            for pl in array(p, "PrefixListIds") {
                check(
                    labelled.contains(str_of(pl, "PrefixListId")),
                    format!("{}: prefix list without entries", str_of(sg, "GroupId")),
                );
            }
        }
    }
    let mut nacl_subnets = BTreeMap::new();
    for acl in &nacls {
        n.nacl_entries += array(acl, "Entries").len();
        for a in array(acl, "Associations") {
            *nacl_subnets
                .entry(str_of(a, "SubnetId").to_owned())
                .or_insert(0) += 1;
        }
    }
    check(
        nacl_subnets.len() == subnet_ids.len() && nacl_subnets.values().all(|&k| k == 1),
        "not every subnet is associated with exactly one network ACL".to_owned(),
    );
    for rt in &rts {
        for r in array(rt, "Routes") {
            n.routes += 1;
            let gw = str_of(r, "GatewayId");
            if gw.starts_with("igw-") {
                check(igw_ids.contains(gw), format!("route to unknown {gw}"));
            }
            let eigw = str_of(r, "EgressOnlyInternetGatewayId");
            if !eigw.is_empty() {
                check(eigw_ids.contains(eigw), format!("route to unknown {eigw}"));
            }
            let nat = str_of(r, "NatGatewayId");
            if !nat.is_empty() && str_of(r, "State") == "active" {
                check(
                    nat_ids.contains(nat),
                    format!("active route to unknown {nat}"),
                );
            }
            let pl = str_of(r, "DestinationPrefixListId");
            if !pl.is_empty() {
                check(
                    labelled.contains(pl),
                    format!("route to prefix list {pl} without entries"),
                );
            }
        }
    }
    for s in &statuses {
        check(
            instance_ids.contains(str_of(s, "InstanceId")),
            "status of an unknown instance".to_owned(),
        );
    }
    for a in &addresses {
        let eni = str_of(a, "NetworkInterfaceId");
        if !eni.is_empty() {
            check(
                eni_ids.contains(eni),
                format!("address on unknown ENI {eni}"),
            );
        }
    }
    check(
        instance_ids.contains(&account.target),
        format!("target {} is not an instance", account.target),
    );

    n.instances = instances.len();
    n.enis = enis.len();
    n.security_groups = sgs.len();
    n.nacls = nacls.len();
    n.route_tables = rts.len();
    n.subnets = subnets.len();
    n.vpcs = vpcs.len();
    n.internet_gateways = igws.len();
    n.egress_only_gateways = eigws.len();
    n.nat_gateways = nats.len();
    n.addresses = addresses.len();
    n.instance_statuses = statuses.len();
    // describe-managed-prefix-lists and describe-prefix-lists share the key `PrefixLists`; the
    // legacy one (with `Cidrs`) repeats two lists.
    n.prefix_lists = pls.iter().filter(|p| p.get("Cidrs").is_none()).count();
    n.flow_logs = items("FlowLogs").len();
    if n != account.expected {
        problems.push(format!(
            "counts differ from what the generator meant:\n  parsed   {n:?}\n  expected {:?}",
            account.expected
        ));
    }
    if problems.is_empty() {
        Ok(n)
    } else {
        Err(problems.join("\n"))
    }
}
