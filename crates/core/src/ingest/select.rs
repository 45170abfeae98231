//! Reading only what one question needs ([`super::load_for`]).
//!
//! A `check` of one instance in a whole account's describe-* output needs a handful of its
//! resources: the instance, its interfaces, their subnets, security groups, network ACLs and route
//! tables, its status. The large lists (`Reservations`, `NetworkInterfaces`, `SecurityGroups`,
//! `SecurityGroupRules`, `InstanceStatuses`, `NetworkAcls`, `RouteTables`, `Subnets`) are therefore
//! first only *skimmed*: the JSON is checked and each element's byte range recorded. Every other
//! key is read in full as usual.
//!
//! Then, until nothing new turns up: the ids the question depends on so far ([`Wanted`]) are
//! looked for, as complete JSON strings (`"subnet-0abc"`), in the skimmed lists where they can
//! matter, and the elements that hold one are read and converted; what they reference adds ids.
//! An element holding a `\` escape is always read (an id could be spelled with escapes), so the
//! selection is exact: every element that names a wanted id is read. Elements that name none
//! cannot change the answer, because the engine reaches every resource from the target through
//! these ids (see `DocOut::learn`); `tests/selective.rs` checks that `check` gives the same report
//! either way on every scenario and corpus network.
//!
//! What is not read is not validated beyond its JSON syntax, so warnings about resources the
//! question does not touch are not given (the full [`super::load`] gives them).

use std::collections::BTreeSet;
use std::ops::Range;

use memchr::memmem;
use serde::de::Deserialize;

use super::json::{self, Reader};
use super::raw::{is_silent_key, read_key, KeyReader, ListSeed, RawResource};
use super::stage::DocOut;
use crate::model::Id;

/// The top-level keys whose lists are skimmed rather than read.
const SKIMMED: [&str; 8] = [
    "Reservations",
    "NetworkInterfaces",
    "SecurityGroups",
    "SecurityGroupRules",
    "InstanceStatuses",
    "NetworkAcls",
    "RouteTables",
    "Subnets",
];

/// The ids one question depends on, grown until nothing new turns up.
#[derive(Debug, Default)]
pub(crate) struct Wanted {
    /// What the user named: an instance id, an ENI id or a `Name` tag.
    pub target: Id,
    pub instances: BTreeSet<Id>,
    pub enis: BTreeSet<Id>,
    pub subnets: BTreeSet<Id>,
    pub vpcs: BTreeSet<Id>,
    pub groups: BTreeSet<Id>,
}

impl Wanted {
    /// How many ids are wanted: the sets only grow, so an unchanged count means nothing new.
    fn len(&self) -> usize {
        [
            &self.instances,
            &self.enis,
            &self.subnets,
            &self.vpcs,
            &self.groups,
        ]
        .iter()
        .map(|s| s.len())
        .sum()
    }

    /// The ids whose presence selects an element of the skimmed list `key`.
    fn needles(&self, key: &str) -> Vec<&str> {
        let sets: Vec<&BTreeSet<Id>> = match key {
            // An instance names itself (and the interfaces it holds, read with it); an interface
            // names its instance. The interfaces sharing a security group are counted in its
            // fix's note.
            "Reservations" => vec![&self.instances, &self.groups],
            "NetworkInterfaces" => vec![&self.instances, &self.enis, &self.groups],
            "SecurityGroups" | "SecurityGroupRules" => vec![&self.groups],
            "InstanceStatuses" => vec![&self.instances],
            // Associated with the subnet, or the VPC's main table / default ACL.
            "NetworkAcls" | "RouteTables" => vec![&self.subnets, &self.vpcs],
            "Subnets" => vec![&self.subnets],
            _ => Vec::new(),
        };
        let target = matches!(key, "Reservations" | "NetworkInterfaces").then_some(&self.target);
        target
            .into_iter()
            .chain(sets.into_iter().flatten())
            .map(Id::as_str)
            .collect()
    }
}

/// A skimmed list: its key, each element's byte range, which are read, and which ids were looked
/// for in it already.
#[derive(Debug)]
pub(crate) struct Skimmed {
    key: String,
    elements: Vec<Range<usize>>,
    /// Elements holding a string with an escape.
    escaped: Vec<usize>,
    read: Vec<bool>,
    searched: BTreeSet<String>,
}

/// A skimmed document: what its other keys gave, and its skimmed lists.
#[derive(Debug)]
pub(crate) struct SkimDoc {
    pub out: DocOut,
    lists: Vec<Skimmed>,
}

/// Skims the document at `start`: an object whose [`SKIMMED`] lists are recorded and whose other
/// keys are read. Any error (or a document that is not an object) is returned, and the caller
/// reads the document the usual way.
pub(crate) fn skim(text: &str, start: usize) -> Result<(SkimDoc, usize), json::Error> {
    let mut r = Reader::new(text, start);
    let mut doc = SkimDoc {
        out: DocOut::default(),
        lists: Vec::new(),
    };
    r.expect(b'{')?;
    let mut first = true;
    loop {
        if r.peek_token() == Some(b'}') {
            r.advance();
            break;
        }
        if !first {
            r.expect(b',')?;
        }
        first = false;
        if r.peek_token() != Some(b'"') {
            return Err(json::Error::Syntax(r.offset()));
        }
        let key = r.string()?;
        r.expect(b':')?;
        if SKIMMED.contains(&key.as_ref()) && r.peek_token() == Some(b'[') {
            let (elements, escaped) = r.element_ranges()?;
            doc.lists.push(Skimmed {
                key: key.into_owned(),
                read: vec![false; elements.len()],
                elements,
                escaped,
                searched: BTreeSet::new(),
            });
            continue;
        }
        let mut direct = Direct(&mut r);
        if !read_key(&key, &mut direct, &mut doc.out)? {
            r.skip_value()?;
            if !is_silent_key(&key) {
                doc.out.unused.push(key.into_owned());
            }
        }
    }
    Ok((doc, r.offset()))
}

/// Reads a key's value straight from the reader.
struct Direct<'r, 'a>(&'r mut Reader<'a>);

impl<'a> KeyReader<'a, json::Error> for Direct<'_, 'a> {
    fn items<T: RawResource<'a>>(&mut self, out: &mut DocOut) -> Result<(), json::Error> {
        serde::de::DeserializeSeed::deserialize(ListSeed::<T>::new(out), &mut *self.0)
    }
    fn one<T: Deserialize<'a>>(&mut self, _: &mut DocOut) -> Result<Option<T>, json::Error> {
        Option::<T>::deserialize(&mut *self.0)
    }
}

/// Reads chosen elements of a skimmed list.
struct Chosen<'s, 'a> {
    text: &'a str,
    list: &'s Skimmed,
    chosen: &'s [usize],
    /// The last round: also say the list is done (so the command counts as given).
    last: bool,
}

impl<'a> KeyReader<'a, json::Error> for Chosen<'_, 'a> {
    fn items<T: RawResource<'a>>(&mut self, out: &mut DocOut) -> Result<(), json::Error> {
        for &i in self.chosen {
            let Some(range) = self.list.elements.get(i) else {
                continue;
            };
            // A wrong shape inside the element fails the selective read, and the caller reads
            // everything the usual way, which names and skips the bad part.
            let x = T::deserialize(&mut Reader::new(self.text, range.start))?;
            x.convert(i, out);
        }
        if self.last {
            T::list_done(self.list.elements.len(), out);
        }
        Ok(())
    }
    fn one<T: Deserialize<'a>>(&mut self, _: &mut DocOut) -> Result<Option<T>, json::Error> {
        Ok(None)
    }
}

/// Reads, in every skimmed document, the elements that name an id of `w`, growing `w` from what
/// they reference, until nothing new is read; then tells each list it is done. `decided` are the
/// documents read in full, which may hold the target too.
pub(crate) fn select(
    text_of: &[&str],
    docs: &mut [(usize, &mut SkimDoc)],
    decided: &[&DocOut],
    w: &mut Wanted,
) -> Result<(), json::Error> {
    // Elements with an escape are always read.
    for (t, doc) in docs.iter_mut() {
        let text = text_of.get(*t).copied().unwrap_or_default();
        for list in &mut doc.lists {
            let chosen = std::mem::take(&mut list.escaped);
            read_chosen(text, list, &chosen, &mut doc.out, false)?;
        }
    }
    loop {
        // What is read so far, to a fixed point (an interface in one document can name an
        // instance read from another).
        loop {
            let before = w.len();
            for d in decided {
                d.learn(w);
            }
            for (_, doc) in docs.iter() {
                doc.out.learn(w);
            }
            if w.len() == before {
                break;
            }
        }
        let mut progress = false;
        for (t, doc) in docs.iter_mut() {
            let text = text_of.get(*t).copied().unwrap_or_default();
            for list in &mut doc.lists {
                let needles: Vec<String> = w
                    .needles(&list.key)
                    .into_iter()
                    .filter(|n| !n.is_empty() && !list.searched.contains(*n))
                    .map(str::to_owned)
                    .collect();
                if needles.is_empty() {
                    continue;
                }
                // Each id as a whole JSON string (`memmem` skips ahead on the id's rarest bytes).
                let mut chosen = BTreeSet::new();
                for n in &needles {
                    let quoted = format!("\"{n}\"");
                    hits(text, list, &memmem::Finder::new(&quoted), &mut chosen);
                }
                let chosen: Vec<usize> = chosen.into_iter().collect();
                list.searched.extend(needles);
                progress |= !chosen.is_empty();
                read_chosen(text, list, &chosen, &mut doc.out, false)?;
            }
        }
        if !progress {
            break;
        }
    }
    for (t, doc) in docs.iter_mut() {
        let text = text_of.get(*t).copied().unwrap_or_default();
        for list in &mut doc.lists {
            read_chosen(text, list, &[], &mut doc.out, true)?;
        }
    }
    Ok(())
}

/// Adds to `out` the elements of `list` not read yet that hold a match of `finder`.
fn hits(text: &str, list: &Skimmed, finder: &memmem::Finder<'_>, out: &mut BTreeSet<usize>) {
    let (Some(first), Some(last)) = (list.elements.first(), list.elements.last()) else {
        return;
    };
    let region = text
        .as_bytes()
        .get(first.start..last.end)
        .unwrap_or_default();
    for at in finder.find_iter(region) {
        let at = first.start + at;
        let i = list.elements.partition_point(|e| e.start <= at);
        let Some(i) = i.checked_sub(1) else { continue };
        let inside = list.elements.get(i).is_some_and(|e| at < e.end);
        if inside && !list.read.get(i).copied().unwrap_or(true) {
            out.insert(i);
        }
    }
}

fn read_chosen(
    text: &str,
    list: &mut Skimmed,
    chosen: &[usize],
    out: &mut DocOut,
    last: bool,
) -> Result<(), json::Error> {
    for &i in chosen {
        if let Some(r) = list.read.get_mut(i) {
            *r = true;
        }
    }
    let key = list.key.clone();
    let mut reader = Chosen {
        text,
        list,
        chosen,
        last,
    };
    read_key(&key, &mut reader, out).map(|_| ())
}
