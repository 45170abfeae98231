//! Addresses, prefixes, port ranges and exact sets of them.
//!
//! Everything the evaluator computes is a set: of source addresses, of client ports. Sets are kept as
//! sorted, disjoint, inclusive ranges so that every operation is exact and cheap, and a set turns back
//! into the minimal list of CIDR blocks that covers it exactly.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Address family of an address, prefix or query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    Ipv4,
    Ipv6,
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Family::Ipv4 => "IPv4",
            Family::Ipv6 => "IPv6",
        })
    }
}

/// An IPv4 or IPv6 prefix with its host bits cleared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Cidr {
    V4 { addr: u32, len: u8 },
    V6 { addr: u128, len: u8 },
}

/// Why a string is not a CIDR block.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CidrError {
    #[error("`{0}` is not an IP address or CIDR block")]
    Syntax(String),
    #[error("`{0}` has a prefix length longer than its address family allows")]
    Length(String),
}

fn mask_v4(len: u8) -> u32 {
    if len == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(len))
    }
}

fn mask_v6(len: u8) -> u128 {
    if len == 0 {
        0
    } else {
        u128::MAX << (128 - u32::from(len))
    }
}

impl Cidr {
    /// A prefix from an address and a length; host bits are cleared.
    pub fn new(addr: IpAddr, len: u8) -> Option<Cidr> {
        match addr {
            IpAddr::V4(a) if len <= 32 => Some(Cidr::V4 {
                addr: u32::from(a) & mask_v4(len),
                len,
            }),
            IpAddr::V6(a) if len <= 128 => Some(Cidr::V6 {
                addr: u128::from(a) & mask_v6(len),
                len,
            }),
            _ => None,
        }
    }

    /// The single-address prefix (`/32` or `/128`).
    pub fn host(addr: IpAddr) -> Cidr {
        match addr {
            IpAddr::V4(a) => Cidr::V4 {
                addr: u32::from(a),
                len: 32,
            },
            IpAddr::V6(a) => Cidr::V6 {
                addr: u128::from(a),
                len: 128,
            },
        }
    }

    /// Parses `a.b.c.d/n`, `x::/n`, or a bare address (a host prefix). Host bits set in the input are
    /// cleared, as AWS does when it stores a rule; use [`Cidr::parse_strict`] to reject them.
    pub fn parse(s: &str) -> Result<Cidr, CidrError> {
        let s = s.trim();
        let (a, l) = match s.split_once('/') {
            Some((a, l)) => (a, Some(l)),
            None => (s, None),
        };
        let addr = IpAddr::from_str(a).map_err(|_| CidrError::Syntax(s.to_owned()))?;
        let len = match l {
            Some(l) => l
                .parse::<u8>()
                .map_err(|_| CidrError::Syntax(s.to_owned()))?,
            None => match addr {
                IpAddr::V4(_) => 32,
                IpAddr::V6(_) => 128,
            },
        };
        Cidr::new(addr, len).ok_or_else(|| CidrError::Length(s.to_owned()))
    }

    pub fn family(&self) -> Family {
        match self {
            Cidr::V4 { .. } => Family::Ipv4,
            Cidr::V6 { .. } => Family::Ipv6,
        }
    }

    #[allow(clippy::len_without_is_empty)] // a prefix length, not a container size
    pub fn len(&self) -> u8 {
        match self {
            Cidr::V4 { len, .. } | Cidr::V6 { len, .. } => *len,
        }
    }

    /// The first address of the block.
    pub fn network(&self) -> IpAddr {
        match self {
            Cidr::V4 { addr, .. } => IpAddr::V4(Ipv4Addr::from(*addr)),
            Cidr::V6 { addr, .. } => IpAddr::V6(Ipv6Addr::from(*addr)),
        }
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self, ip) {
            (Cidr::V4 { addr, len }, IpAddr::V4(a)) => u32::from(a) & mask_v4(*len) == *addr,
            (Cidr::V6 { addr, len }, IpAddr::V6(a)) => u128::from(a) & mask_v6(*len) == *addr,
            _ => false,
        }
    }

    /// True when `other` lies entirely inside this block.
    pub fn covers(&self, other: &Cidr) -> bool {
        other.len() >= self.len() && self.contains(other.network())
    }

    /// The block as a set of addresses.
    pub fn to_set(&self) -> IpSet {
        match *self {
            Cidr::V4 { addr, len } => IpSet {
                v4: RangeSet::from_range(addr, addr | !mask_v4(len)),
                v6: RangeSet::empty(),
            },
            Cidr::V6 { addr, len } => IpSet {
                v4: RangeSet::empty(),
                v6: RangeSet::from_range(addr, addr | !mask_v6(len)),
            },
        }
    }

    /// `0.0.0.0/0` or `::/0`.
    pub fn any(family: Family) -> Cidr {
        match family {
            Family::Ipv4 => Cidr::V4 { addr: 0, len: 0 },
            Family::Ipv6 => Cidr::V6 { addr: 0, len: 0 },
        }
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network(), self.len())
    }
}

impl FromStr for Cidr {
    type Err = CidrError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Cidr::parse(s)
    }
}

impl Serialize for Cidr {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Cidr {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Cidr::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Unsigned integers a [`RangeSet`] can hold: addresses and ports.
pub trait Bound: Copy + Ord + fmt::Debug {
    const MIN: Self;
    const MAX: Self;
    fn succ(self) -> Option<Self>;
    fn pred(self) -> Option<Self>;
}

macro_rules! bound {
    ($t:ty) => {
        impl Bound for $t {
            const MIN: Self = <$t>::MIN;
            const MAX: Self = <$t>::MAX;
            fn succ(self) -> Option<Self> {
                self.checked_add(1)
            }
            fn pred(self) -> Option<Self> {
                self.checked_sub(1)
            }
        }
    };
}
bound!(u16);
bound!(u32);
bound!(u128);

/// A set of integers as sorted, disjoint, non-adjacent inclusive ranges.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct RangeSet<T: Bound> {
    ranges: Vec<(T, T)>,
}

impl<T: Bound> fmt::Debug for RangeSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.ranges.iter()).finish()
    }
}

impl<T: Bound> RangeSet<T> {
    pub fn empty() -> Self {
        RangeSet { ranges: Vec::new() }
    }

    pub fn full() -> Self {
        RangeSet {
            ranges: vec![(T::MIN, T::MAX)],
        }
    }

    /// `[lo, hi]`; empty when `lo > hi`.
    pub fn from_range(lo: T, hi: T) -> Self {
        if lo > hi {
            Self::empty()
        } else {
            RangeSet {
                ranges: vec![(lo, hi)],
            }
        }
    }

    /// Builds a set from arbitrary (possibly overlapping) ranges.
    pub fn from_ranges(mut v: Vec<(T, T)>) -> Self {
        v.retain(|(a, b)| a <= b);
        v.sort_unstable();
        let mut out: Vec<(T, T)> = Vec::with_capacity(v.len());
        for (lo, hi) in v {
            if let Some(last) = out.last_mut() {
                let touches = match last.1.succ() {
                    Some(n) => lo <= n,
                    None => true,
                };
                if touches {
                    if hi > last.1 {
                        last.1 = hi;
                    }
                    continue;
                }
            }
            out.push((lo, hi));
        }
        RangeSet { ranges: out }
    }

    pub fn ranges(&self) -> &[(T, T)] {
        &self.ranges
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    pub fn is_full(&self) -> bool {
        self.ranges == [(T::MIN, T::MAX)]
    }

    pub fn contains(&self, x: T) -> bool {
        // Binary search on the range starts.
        let i = self.ranges.partition_point(|(lo, _)| *lo <= x);
        i > 0 && self.ranges.get(i - 1).is_some_and(|(_, hi)| x <= *hi)
    }

    pub fn union(&self, other: &Self) -> Self {
        if other.ranges.is_empty() {
            return self.clone();
        }
        if self.ranges.is_empty() {
            return other.clone();
        }
        let mut out = RangeSet {
            ranges: Vec::with_capacity(self.ranges.len() + other.ranges.len()),
        };
        self.union_into(other, &mut out);
        out
    }

    /// `self ∪ other` into `out`, whose room is reused.
    pub fn union_into(&self, other: &Self, out: &mut Self) {
        // Both lists are sorted: merge them, joining ranges that overlap or touch.
        let (a, b) = (&self.ranges, &other.ranges);
        let out = &mut out.ranges;
        out.clear();
        let (mut i, mut j) = (0, 0);
        loop {
            let (lo, hi) = match (a.get(i), b.get(j)) {
                (Some(x), Some(y)) if y.0 < x.0 => {
                    j += 1;
                    *y
                }
                (Some(x), _) => {
                    i += 1;
                    *x
                }
                (None, Some(y)) => {
                    j += 1;
                    *y
                }
                (None, None) => break,
            };
            match out.last_mut() {
                Some(last) if last.1.succ().is_none_or(|n| lo <= n) => last.1 = last.1.max(hi),
                _ => out.push((lo, hi)),
            }
        }
    }

    pub fn complement(&self) -> Self {
        let mut out = Vec::with_capacity(self.ranges.len() + 1);
        let mut next = Some(T::MIN);
        for &(lo, hi) in &self.ranges {
            if let Some(n) = next {
                if n < lo {
                    if let Some(p) = lo.pred() {
                        out.push((n, p));
                    }
                }
            }
            next = hi.succ();
        }
        if let Some(n) = next {
            out.push((n, T::MAX));
        }
        RangeSet { ranges: out }
    }

    pub fn intersect(&self, other: &Self) -> Self {
        if self.ranges.is_empty() || other.ranges.is_empty() {
            return Self::empty();
        }
        // One pass into room for the most overlaps there can be, then cut to size when that room
        // is mostly unused: a survey keeps thousands of these.
        let mut out = RangeSet {
            ranges: Vec::with_capacity(self.ranges.len() + other.ranges.len()),
        };
        self.intersect_into(other, &mut out);
        if out.ranges.capacity() > 2 * out.ranges.len() {
            out.ranges.shrink_to_fit();
        }
        out
    }

    /// `self ∩ other` into `out`, whose room is reused.
    pub fn intersect_into(&self, other: &Self, out: &mut Self) {
        let out = &mut out.ranges;
        out.clear();
        let (mut i, mut j) = (0, 0);
        while let (Some(&(a0, a1)), Some(&(b0, b1))) = (self.ranges.get(i), other.ranges.get(j)) {
            let (lo, hi) = (a0.max(b0), a1.min(b1));
            if lo <= hi {
                out.push((lo, hi));
            }
            if a1 < b1 {
                i += 1;
            } else {
                j += 1;
            }
        }
    }

    pub fn subtract(&self, other: &Self) -> Self {
        if self.ranges.is_empty() || other.ranges.is_empty() {
            return self.clone();
        }
        self.intersect(&other.complement())
    }

    pub fn is_subset(&self, other: &Self) -> bool {
        // Each range must lie inside one range of `other` (ranges are disjoint and non-adjacent).
        let mut theirs = other.ranges.iter();
        let mut cur = theirs.next();
        self.ranges.iter().all(|&(lo, hi)| {
            while cur.is_some_and(|&(_, b1)| b1 < lo) {
                cur = theirs.next();
            }
            cur.is_some_and(|&(b0, b1)| b0 <= lo && hi <= b1)
        })
    }

    pub fn intersects(&self, other: &Self) -> bool {
        let (mut i, mut j) = (0, 0);
        while let (Some(&(a0, a1)), Some(&(b0, b1))) = (self.ranges.get(i), other.ranges.get(j)) {
            if a0.max(b0) <= a1.min(b1) {
                return true;
            }
            if a1 < b1 {
                i += 1;
            } else {
                j += 1;
            }
        }
        false
    }

    /// The smallest member, if any.
    pub fn first(&self) -> Option<T> {
        self.ranges.first().map(|r| r.0)
    }
}

/// A set of ports (or ICMP type/code values widened to u16).
pub type PortSet = RangeSet<u16>;

/// An exact set of IPv4 and IPv6 addresses.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct IpSet {
    pub v4: RangeSet<u32>,
    pub v6: RangeSet<u128>,
}

impl fmt::Debug for IpSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cidrs: Vec<String> = self.to_cidrs().iter().map(|c| c.to_string()).collect();
        write!(f, "IpSet{cidrs:?}")
    }
}

impl IpSet {
    pub fn empty() -> Self {
        IpSet::default()
    }

    /// Every address of one family.
    pub fn all(family: Family) -> Self {
        Cidr::any(family).to_set()
    }

    pub fn from_cidrs<'a>(cidrs: impl IntoIterator<Item = &'a Cidr>) -> Self {
        let mut v4 = Vec::new();
        let mut v6 = Vec::new();
        for c in cidrs {
            match *c {
                Cidr::V4 { addr, len } => v4.push((addr, addr | !mask_v4(len))),
                Cidr::V6 { addr, len } => v6.push((addr, addr | !mask_v6(len))),
            }
        }
        IpSet {
            v4: RangeSet::from_ranges(v4),
            v6: RangeSet::from_ranges(v6),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.v4.is_empty() && self.v6.is_empty()
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match ip {
            IpAddr::V4(a) => self.v4.contains(u32::from(a)),
            IpAddr::V6(a) => self.v6.contains(u128::from(a)),
        }
    }

    pub fn union(&self, o: &Self) -> Self {
        IpSet {
            v4: self.v4.union(&o.v4),
            v6: self.v6.union(&o.v6),
        }
    }

    pub fn intersect(&self, o: &Self) -> Self {
        IpSet {
            v4: self.v4.intersect(&o.v4),
            v6: self.v6.intersect(&o.v6),
        }
    }

    /// `self ∪ o` into `out`, whose room is reused.
    pub fn union_into(&self, o: &Self, out: &mut Self) {
        self.v4.union_into(&o.v4, &mut out.v4);
        self.v6.union_into(&o.v6, &mut out.v6);
    }

    /// `self ∩ o` into `out`, whose room is reused.
    pub fn intersect_into(&self, o: &Self, out: &mut Self) {
        self.v4.intersect_into(&o.v4, &mut out.v4);
        self.v6.intersect_into(&o.v6, &mut out.v6);
    }

    pub fn subtract(&self, o: &Self) -> Self {
        IpSet {
            v4: self.v4.subtract(&o.v4),
            v6: self.v6.subtract(&o.v6),
        }
    }

    pub fn is_subset(&self, o: &Self) -> bool {
        self.v4.is_subset(&o.v4) && self.v6.is_subset(&o.v6)
    }

    pub fn intersects(&self, o: &Self) -> bool {
        self.v4.intersects(&o.v4) || self.v6.intersects(&o.v6)
    }

    /// The part of the set in one family.
    pub fn family(&self, f: Family) -> Self {
        match f {
            Family::Ipv4 => IpSet {
                v4: self.v4.clone(),
                v6: RangeSet::empty(),
            },
            Family::Ipv6 => IpSet {
                v4: RangeSet::empty(),
                v6: self.v6.clone(),
            },
        }
    }

    /// Some address in the set (the lowest IPv4, else the lowest IPv6).
    pub fn sample(&self) -> Option<IpAddr> {
        self.v4
            .first()
            .map(|a| IpAddr::V4(Ipv4Addr::from(a)))
            .or_else(|| self.v6.first().map(|a| IpAddr::V6(Ipv6Addr::from(a))))
    }

    /// The minimal list of CIDR blocks whose union is exactly this set, IPv4 first, each family in
    /// address order.
    pub fn to_cidrs(&self) -> Vec<Cidr> {
        let mut out = Vec::new();
        for &(lo, hi) in self.v4.ranges() {
            split_range(u128::from(lo), u128::from(hi), 32, &mut |a, l| {
                // The split never leaves the IPv4 range, so the conversion cannot fail.
                if let Ok(a) = u32::try_from(a) {
                    out.push(Cidr::V4 { addr: a, len: l })
                }
            });
        }
        for &(lo, hi) in self.v6.ranges() {
            split_range(lo, hi, 128, &mut |a, l| {
                out.push(Cidr::V6 { addr: a, len: l })
            });
        }
        out
    }

    /// Number of IPv4 addresses (IPv6 sets are too large to count usefully).
    pub fn v4_count(&self) -> u64 {
        self.v4
            .ranges()
            .iter()
            .map(|(lo, hi)| u64::from(*hi) - u64::from(*lo) + 1)
            .sum()
    }
}

/// Splits the inclusive range `[lo, hi]` of a `bits`-wide space into maximal aligned blocks.
fn split_range(mut lo: u128, hi: u128, bits: u32, emit: &mut dyn FnMut(u128, u8)) {
    loop {
        // Largest block size 2^k aligned at lo and not past hi.
        let align = if lo == 0 {
            bits
        } else {
            lo.trailing_zeros().min(bits)
        };
        // The largest power of two not past hi: floor(log2(hi - lo + 1)), 128 for the whole space.
        let fit = match hi.saturating_sub(lo).checked_add(1) {
            Some(n) => 127 - n.leading_zeros(),
            None => 128,
        };
        let k = align.min(fit);
        // k <= bits <= 128, so the length fits in a u8.
        let len = u8::try_from(bits - k).unwrap_or(0);
        emit(lo, len);
        let size_minus_one = if k >= 128 {
            u128::MAX
        } else {
            (1u128 << k) - 1
        };
        match lo
            .checked_add(size_minus_one)
            .and_then(|e| e.checked_add(1))
        {
            Some(next) if next <= hi => lo = next,
            _ => return,
        }
    }
}

/// An inclusive range of ports, `from <= to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PortRange {
    from: u16,
    to: u16,
}

impl PortRange {
    pub const ALL: PortRange = PortRange {
        from: 0,
        to: u16::MAX,
    };

    /// `None` when `from > to`.
    pub fn new(from: u16, to: u16) -> Option<PortRange> {
        (from <= to).then_some(PortRange { from, to })
    }

    pub fn single(p: u16) -> PortRange {
        PortRange { from: p, to: p }
    }

    pub fn from(&self) -> u16 {
        self.from
    }

    pub fn to(&self) -> u16 {
        self.to
    }

    pub fn contains(&self, p: u16) -> bool {
        self.from <= p && p <= self.to
    }

    pub fn to_set(&self) -> PortSet {
        RangeSet::from_range(self.from, self.to)
    }
}

impl fmt::Display for PortRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.from == self.to {
            write!(f, "{}", self.from)
        } else if *self == PortRange::ALL {
            f.write_str("all ports")
        } else {
            write!(f, "{}-{}", self.from, self.to)
        }
    }
}

/// The IPv4 sources an internet gateway drops on the way in (RFC 1918 and RFC 6598 shared space),
/// plus addresses that never appear as a source on the internet.
pub fn non_internet_v4() -> IpSet {
    let list = [
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "224.0.0.0/3",
    ];
    let cidrs: Vec<Cidr> = list.iter().filter_map(|s| Cidr::parse(s).ok()).collect();
    IpSet::from_cidrs(&cidrs)
}

/// The addresses that can be a client on the internet, per family: all IPv4 but private, shared,
/// loopback, link-local, multicast and reserved space; IPv6 global unicast `2000::/3`.
pub fn internet(family: Family) -> IpSet {
    match family {
        Family::Ipv4 => IpSet::all(Family::Ipv4).subtract(&non_internet_v4()),
        Family::Ipv6 => Cidr::parse("2000::/3")
            .map(|c| c.to_set())
            .unwrap_or_default(),
    }
}

/// A fast, non-cryptographic hasher for the evaluator's in-memory caches (keys are ids, pointers
/// and address sets from the user's own input, so flooding is not a concern): the "Fx" hash of
/// rustc, a multiply and rotate per word.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.write_u64(u64::from_le_bytes(w));
        }
        for &b in chunks.remainder() {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_u8(&mut self, n: u8) {
        self.write_u64(u64::from(n));
    }
    fn write_u16(&mut self, n: u16) {
        self.write_u64(u64::from(n));
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
    fn write_u128(&mut self, n: u128) {
        self.write_u64(n as u64);
        self.write_u64((n >> 64) as u64);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// A `HashMap` with [`FxHasher`].
pub(crate) type FxHashMap<K, V> =
    std::collections::HashMap<K, V, std::hash::BuildHasherDefault<FxHasher>>;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn c(s: &str) -> Cidr {
        Cidr::parse(s).unwrap()
    }

    #[test]
    fn parse_clears_host_bits() {
        assert_eq!(c("10.1.2.3/8").to_string(), "10.0.0.0/8");
        assert_eq!(c("2001:db8::1/32").to_string(), "2001:db8::/32");
        assert_eq!(c("1.2.3.4").to_string(), "1.2.3.4/32");
        assert!(Cidr::parse("1.2.3.4/33").is_err());
        assert!(Cidr::parse("10-0-0-157").is_err());
    }

    #[test]
    fn minimal_cidrs() {
        let all = IpSet::all(Family::Ipv4);
        let minus = all.subtract(&c("10.0.0.0/8").to_set());
        let cidrs: Vec<String> = minus.to_cidrs().iter().map(|c| c.to_string()).collect();
        assert_eq!(
            cidrs,
            vec![
                "0.0.0.0/5",
                "8.0.0.0/7",
                "11.0.0.0/8",
                "12.0.0.0/6",
                "16.0.0.0/4",
                "32.0.0.0/3",
                "64.0.0.0/2",
                "128.0.0.0/1"
            ]
        );
        assert_eq!(all.to_cidrs(), vec![c("0.0.0.0/0")]);
        assert_eq!(IpSet::all(Family::Ipv6).to_cidrs(), vec![c("::/0")]);
        let two = IpSet::from_cidrs(&[c("10.0.0.0/25"), c("10.0.0.128/25")]);
        assert_eq!(two.to_cidrs(), vec![c("10.0.0.0/24")]);
    }

    #[test]
    fn set_algebra() {
        let a = RangeSet::from_ranges(vec![(1u16, 5), (10, 20)]);
        let b = RangeSet::from_ranges(vec![(4u16, 12)]);
        assert_eq!(a.intersect(&b).ranges(), &[(4, 5), (10, 12)]);
        assert_eq!(a.subtract(&b).ranges(), &[(1, 3), (13, 20)]);
        assert_eq!(a.union(&b).ranges(), &[(1, 20)]);
        assert_eq!(RangeSet::<u16>::full().complement(), RangeSet::empty());
        assert_eq!(RangeSet::<u16>::empty().complement(), RangeSet::full());
        assert!(a.contains(10) && a.contains(5) && !a.contains(6) && !a.contains(0));
    }

    #[test]
    fn internet_excludes_private() {
        let i = internet(Family::Ipv4);
        assert!(!i.contains("10.1.1.1".parse().unwrap()));
        assert!(!i.contains("100.64.0.1".parse().unwrap()));
        assert!(i.contains("8.8.8.8".parse().unwrap()));
        assert!(internet(Family::Ipv6).contains("2600:1f18::1".parse().unwrap()));
    }
}
