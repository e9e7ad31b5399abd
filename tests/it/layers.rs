//! The layering check: parses every file under `src/` with `syn`, collects
//! every reference one module makes to another (`use` lines, inline paths
//! such as `crate::x::y()` or `super::z`, and `crate::` paths inside macro
//! invocations), and holds them against the module → layer map below.
//!
//! It fails when
//! - a module is not in the map (a new module must be placed in a layer),
//! - a module uses a module of a higher layer (an upward import), or
//! - modules form an import cycle of any length. A module's own ancestors and
//!   descendants are one unit here (a `mod.rs` that calls its children, whose
//!   children use its types, is not a cycle); every other edge counts.
//!
//! Code under `#[cfg(test)]` (test modules, test-only helpers) is not
//! counted: tests may reach across layers to build their fixtures.
//!
//! The layers are the ones of `ARCHITECTURE.md`, lowest first.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use proc_macro2::{TokenStream, TokenTree};
use syn::visit::Visit;

/// The layers, lowest first. A module may use its own layer and the ones
/// below it.
const LAYERS: &[&str] = &[
    "vocabulary",
    "codecs",
    "network",
    "engines",
    "observations",
    "diagnosis",
    "pipeline",
    "interfaces",
];

/// Module → layer, by longest matching prefix (`tls::scan` covers
/// `tls::scan::versions`). Every module of the crate must match one entry.
const MAP: &[(&str, &str)] = &[
    // vocabulary: the words every layer shares
    ("vocab", "vocabulary"),
    // codecs: bytes <-> messages, no I/O
    ("tls::hello", "codecs"),
    ("tls::reply", "codecs"),
    ("tls::suites", "codecs"),
    ("tls::cert", "codecs"),
    ("tls::ocsp", "codecs"),
    ("mail::line", "codecs"),
    ("mail::wire", "codecs"),
    ("mail::imap", "codecs"),
    ("mail::pop3", "codecs"),
    ("mail::smtp", "codecs"),
    ("mail::auth", "codecs"),
    ("mail::service", "codecs"),
    ("mail", "codecs"),
    // network: connector, deadlines, caps, the STARTTLS prelude
    ("net", "network"),
    ("mail::starttls", "network"),
    // engines: everything that touches a socket and records what it saw
    ("tls", "engines"),
    ("tls::scan", "engines"),
    ("tls::handshake", "engines"),
    ("tls::engine", "engines"),
    ("tls::legacy", "engines"),
    ("tls::trust", "engines"),
    ("mail::dialogue", "engines"),
    ("mail::preflight", "engines"),
    ("probe::real_tls", "engines"),
    ("probe::aia", "engines"),
    // observations: plain records of what the engines saw
    ("observations", "observations"),
    // diagnosis: pure judgement, and the Report it writes
    ("report", "diagnosis"),
    ("diagnosis", "diagnosis"),
    ("tls::chain", "diagnosis"),
    ("tls::name", "diagnosis"),
    ("mail::software", "diagnosis"),
    // pipeline: request -> spec -> plan -> observe -> diagnose -> Report
    ("probe", "pipeline"),
    ("probe::outbound", "pipeline"),
    ("probe::policy", "pipeline"),
    ("config", "pipeline"),
    ("readiness", "pipeline"),
    ("metrics", "pipeline"),
    // interfaces: HTTP and CLI translate in and out
    ("http", "interfaces"),
    ("cli", "interfaces"),
];

/// Upward imports and cycles that remain, each `from -> to` (or `cycle a ->
/// b -> a`). Empty since issue 17 (45 entries when it was written); the
/// check fails on any edge that is not on it and on any entry here that no
/// longer occurs, so it stays empty.
const ALLOWED: &[&str] = &[];

/// One reference from a module to another, with where it was written.
#[derive(Debug, Clone)]
struct Edge {
    from: String,
    to: String,
    at: String,
}

#[test]
fn no_upward_import_and_no_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let crate_ = Crate::read(&src);
    let mut problems = Vec::new();

    for m in &crate_.modules {
        if layer_of(m).is_none() {
            problems.push(format!("module `{m}` is not in the layer map"));
        }
    }

    let mut seen_allowed = BTreeSet::new();
    let mut upward = BTreeMap::<(String, String), String>::new();
    for e in &crate_.edges {
        let (Some(lf), Some(lt)) = (layer_of(&e.from), layer_of(&e.to)) else {
            continue;
        };
        if rank(lt) > rank(lf) {
            upward
                .entry((e.from.clone(), e.to.clone()))
                .or_insert_with(|| format!("{} ({lf}) uses {} ({lt}) at {}", e.from, e.to, e.at));
        }
    }
    for ((from, to), msg) in &upward {
        let key = format!("{from} -> {to}");
        if ALLOWED.contains(&key.as_str()) {
            seen_allowed.insert(key);
        } else {
            problems.push(format!("upward: {msg}"));
        }
    }

    for cycle in cycles(&crate_.edges) {
        let key = format!("cycle {}", cycle.join(" -> "));
        if ALLOWED.contains(&key.as_str()) {
            seen_allowed.insert(key);
        } else {
            problems.push(key);
        }
    }

    for a in ALLOWED {
        if !seen_allowed.contains(*a) {
            problems.push(format!("allow-list entry no longer occurs, remove it: {a}"));
        }
    }

    assert!(
        problems.is_empty(),
        "{} layering problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// The check sees what it must: an upward `use`, an upward inline path, a
/// path inside a macro, and a cycle through three modules; and ignores
/// `#[cfg(test)]` code and parent/child references.
#[test]
fn the_check_sees_uses_inline_paths_macros_and_cycles() {
    let mut c = Crate::default();
    for m in [
        "probe",
        "http",
        "cli",
        "observations",
        "tls",
        "tls::hello",
        "b",
        "c",
    ] {
        c.modules.insert(m.to_string());
    }
    c.add(
        "vocab",
        "use crate::probe::Thing; fn f() { crate::http::serve(); let _ = format!(\"{}\", crate::cli::NAME); }",
    );
    c.add(
        "diagnosis",
        "#[cfg(test)] mod tests { use crate::http::X; }",
    );
    c.add(
        "tls::scan",
        "use super::hello; fn g() { super::super::observations::x() }",
    );
    c.add("a", "use crate::b::X;");
    c.add("b", "fn f() { crate::c::y(); }");
    c.add("c", "use crate::a;");
    let targets: BTreeSet<_> = c
        .edges
        .iter()
        .map(|e| format!("{} -> {}", e.from, e.to))
        .collect();
    for want in [
        "vocab -> probe",
        "vocab -> http",
        "vocab -> cli",
        "tls::scan -> tls::hello",
    ] {
        assert!(targets.contains(want), "missing {want} in {targets:?}");
    }
    assert!(!targets.iter().any(|t| t.starts_with("diagnosis")));
    let cycles = cycles(&c.edges);
    assert_eq!(cycles, vec![vec!["a", "b", "c", "a"]]);
}

fn rank(layer: &str) -> usize {
    LAYERS
        .iter()
        .position(|l| *l == layer)
        .unwrap_or(usize::MAX)
}

fn layer_of(module: &str) -> Option<&'static str> {
    MAP.iter()
        .filter(|(prefix, _)| is_within(module, prefix))
        .max_by_key(|(prefix, _)| prefix.len())
        .map(|(_, layer)| *layer)
}

/// `a::b::c` is within `a::b` and `a::b::c`, not within `a::bc`.
fn is_within(module: &str, prefix: &str) -> bool {
    module == prefix
        || module
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with("::"))
}

#[derive(Default)]
struct Crate {
    /// Every module (file or inline, not under `#[cfg(test)]`), as `a::b`.
    modules: BTreeSet<String>,
    /// Raw references before resolution: (module, path segments), once each.
    raw: BTreeSet<(String, Vec<String>)>,
    /// Module -> the file it is written in.
    at: BTreeMap<String, String>,
    edges: Vec<Edge>,
}

impl Crate {
    fn read(src: &Path) -> Crate {
        let mut c = Crate::default();
        c.file(src, &src.join("lib.rs"), "");
        c.resolve();
        c
    }

    /// For the self-test: a module given as source text.
    fn add(&mut self, module: &str, text: &str) {
        let file = syn::parse_file(text).expect("test source parses");
        let mut parts: Vec<&str> = module.split("::").collect();
        while !parts.is_empty() {
            self.modules.insert(parts.join("::"));
            parts.pop();
        }
        let mut children = Vec::new();
        self.items(None, module, &file.items, module, &mut children);
        self.resolve();
    }

    fn file(&mut self, src: &Path, path: &Path, module: &str) {
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        let file = syn::parse_file(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        if !module.is_empty() {
            self.modules.insert(module.to_string());
        }
        let dir = dir_of(src, path);
        let at = path
            .strip_prefix(src.parent().unwrap_or(src))
            .unwrap_or(path)
            .display()
            .to_string();
        let mut children = Vec::new();
        self.items(Some(&dir), module, &file.items, &at, &mut children);
        // The syntax tree is dropped before the child files are read, so
        // only one file's tree is held at a time.
        drop(file);
        for (child_path, child) in children {
            self.file(src, &child_path, &child);
        }
    }

    /// Collects the references of `items` (a file's or an inline module's)
    /// and the child module files they declare.
    fn items(
        &mut self,
        dir: Option<&Path>,
        module: &str,
        items: &[syn::Item],
        at: &str,
        children: &mut Vec<(PathBuf, String)>,
    ) {
        self.at
            .entry(module.to_string())
            .or_insert_with(|| at.to_string());
        // Bare paths count only when they start with a child module.
        let child_names: BTreeSet<String> = items
            .iter()
            .filter(|i| !is_cfg_test(item_attrs(i)))
            .filter_map(|i| match i {
                syn::Item::Mod(m) => Some(m.ident.to_string()),
                _ => None,
            })
            .collect();
        for item in items {
            if is_cfg_test(item_attrs(item)) {
                continue;
            }
            if let syn::Item::Mod(m) = item {
                let child = join(module, &m.ident.to_string());
                match (&m.content, dir) {
                    (Some((_, inner)), _) => {
                        self.modules.insert(child.clone());
                        let inner_dir = dir.map(|d| d.join(m.ident.to_string()));
                        self.items(inner_dir.as_deref(), &child, inner, at, children);
                    }
                    (None, Some(dir)) => {
                        let name = m.ident.to_string();
                        let flat = dir.join(format!("{name}.rs"));
                        let nested = dir.join(&name).join("mod.rs");
                        let file = if flat.exists() { flat } else { nested };
                        children.push((file, child));
                    }
                    (None, None) => {}
                }
                continue;
            }
            let mut v = Refs { paths: Vec::new() };
            v.visit_item(item);
            for segs in v.paths {
                let keep = match segs.first().map(String::as_str) {
                    Some("crate" | "super" | "self") => true,
                    Some(first) => child_names.contains(first),
                    None => false,
                };
                if keep {
                    self.raw.insert((module.to_string(), segs));
                }
            }
        }
    }

    /// Turns each raw path into an edge to the longest module it names.
    fn resolve(&mut self) {
        self.edges.clear();
        let raw = std::mem::take(&mut self.raw);
        for (from, segs) in &raw {
            if let Some(to) = self.target(from, segs)
                && to != *from
                && !to.is_empty()
            {
                self.edges.push(Edge {
                    from: from.clone(),
                    to,
                    at: self.at.get(from).cloned().unwrap_or_default(),
                });
            }
        }
        self.raw = raw;
    }

    fn target(&self, from: &str, segs: &[String]) -> Option<String> {
        let mut base: Vec<String> = if from.is_empty() {
            Vec::new()
        } else {
            from.split("::").map(str::to_string).collect()
        };
        let mut rest = segs;
        match rest.first().map(String::as_str) {
            Some("crate") => {
                base.clear();
                rest = &rest[1..];
            }
            Some("super") | Some("self") => {
                while let Some(s) = rest.first() {
                    match s.as_str() {
                        "super" => {
                            base.pop()?;
                        }
                        "self" => {}
                        _ => break,
                    }
                    rest = &rest[1..];
                }
            }
            Some(first) => {
                // A bare path counts when its first segment is a child
                // module of this one (`versions::scan()` in `tls::scan`).
                if !self.modules.contains(&join(from, first)) {
                    return None;
                }
            }
            None => return None,
        }
        let mut best = None;
        let mut cur = base.join("::");
        if !cur.is_empty() && self.modules.contains(&cur) {
            best = Some(cur.clone());
        }
        for s in rest {
            cur = join(&cur, s);
            if self.modules.contains(&cur) {
                best = Some(cur.clone());
            } else {
                break;
            }
        }
        best
    }
}

fn join(module: &str, name: &str) -> String {
    if module.is_empty() {
        name.to_string()
    } else {
        format!("{module}::{name}")
    }
}

/// Where a file's child modules live: beside `lib.rs`/`mod.rs`, or in a
/// directory named after a plain `x.rs`.
fn dir_of(src: &Path, path: &Path) -> PathBuf {
    let parent = path.parent().unwrap_or(src).to_path_buf();
    match path.file_name().and_then(|n| n.to_str()) {
        Some("lib.rs") | Some("mod.rs") | Some("main.rs") => parent,
        _ => parent.join(path.file_stem().unwrap_or_default()),
    }
}

fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    use syn::Item::*;
    match item {
        Const(i) => &i.attrs,
        Enum(i) => &i.attrs,
        ExternCrate(i) => &i.attrs,
        Fn(i) => &i.attrs,
        ForeignMod(i) => &i.attrs,
        Impl(i) => &i.attrs,
        Macro(i) => &i.attrs,
        Mod(i) => &i.attrs,
        Static(i) => &i.attrs,
        Struct(i) => &i.attrs,
        Trait(i) => &i.attrs,
        TraitAlias(i) => &i.attrs,
        Type(i) => &i.attrs,
        Union(i) => &i.attrs,
        Use(i) => &i.attrs,
        _ => &[],
    }
}

fn is_cfg_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && a.meta.require_list().is_ok_and(|l| {
                l.tokens
                    .to_string()
                    .split(|c: char| !c.is_alphanumeric() && c != '_')
                    .any(|w| w == "test")
            })
            && !a
                .meta
                .require_list()
                .is_ok_and(|l| l.tokens.to_string().contains("not"))
    })
}

/// Collects every path a piece of code names.
struct Refs {
    paths: Vec<Vec<String>>,
}

impl Refs {
    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                let mut full = prefix.clone();
                if n.ident != "self" {
                    full.push(n.ident.to_string());
                }
                self.paths.push(full);
            }
            syn::UseTree::Rename(r) => {
                let mut full = prefix.clone();
                if r.ident != "self" {
                    full.push(r.ident.to_string());
                }
                self.paths.push(full);
            }
            syn::UseTree::Glob(_) => self.paths.push(prefix.clone()),
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    self.use_tree(prefix, t);
                }
            }
        }
    }

    /// `crate :: a :: b` (and `super ::`) sequences inside macro tokens.
    fn tokens(&mut self, tokens: TokenStream) {
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        let mut i = 0;
        while i < trees.len() {
            match &trees[i] {
                TokenTree::Group(g) => self.tokens(g.stream()),
                TokenTree::Ident(id) if id == "crate" || id == "super" => {
                    let mut segs = vec![id.to_string()];
                    let mut j = i + 1;
                    loop {
                        let colons = matches!((trees.get(j), trees.get(j + 1)),
                            (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b))) if a.as_char() == ':' && b.as_char() == ':');
                        match (colons, trees.get(j + 2)) {
                            (true, Some(TokenTree::Ident(next))) => {
                                segs.push(next.to_string());
                                j += 3;
                            }
                            _ => break,
                        }
                    }
                    if segs.len() > 1 {
                        self.paths.push(segs);
                    }
                    i = j;
                    continue;
                }
                _ => {}
            }
            i += 1;
        }
    }
}

impl<'ast> Visit<'ast> for Refs {
    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        self.use_tree(&mut Vec::new(), &u.tree);
    }
    fn visit_path(&mut self, p: &'ast syn::Path) {
        self.paths
            .push(p.segments.iter().map(|s| s.ident.to_string()).collect());
        syn::visit::visit_path(self, p);
    }
    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        self.tokens(m.tokens.clone());
        syn::visit::visit_macro(self, m);
    }
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if !is_cfg_test(&m.attrs) {
            syn::visit::visit_item_mod(self, m);
        }
    }
    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        if !is_cfg_test(&f.attrs) {
            syn::visit::visit_item_fn(self, f);
        }
    }
    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        if !is_cfg_test(&f.attrs) {
            syn::visit::visit_impl_item_fn(self, f);
        }
    }
}

/// Every cycle among modules, one per strongly connected component (as a
/// shortest loop through its smallest module), ignoring edges between a
/// module and its own ancestors or descendants.
fn cycles(edges: &[Edge]) -> Vec<Vec<String>> {
    let mut graph: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for e in edges {
        if is_within(&e.from, &e.to) || is_within(&e.to, &e.from) {
            continue;
        }
        graph.entry(&e.from).or_default().insert(&e.to);
        graph.entry(&e.to).or_default();
    }
    let mut out = Vec::new();
    for scc in sccs(&graph) {
        if scc.len() < 2 {
            continue;
        }
        let start = scc[0];
        // Shortest path start -> ... -> start inside the component (BFS).
        let inside: BTreeSet<&str> = scc.iter().copied().collect();
        let mut prev: BTreeMap<&str, &str> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([start]);
        let mut closing = None;
        'bfs: while let Some(n) = queue.pop_front() {
            for &m in &graph[n] {
                if !inside.contains(m) {
                    continue;
                }
                if m == start {
                    closing = Some(n);
                    break 'bfs;
                }
                if let std::collections::btree_map::Entry::Vacant(v) = prev.entry(m) {
                    v.insert(n);
                    queue.push_back(m);
                }
            }
        }
        let mut path = vec![start.to_string()];
        let mut n = closing.unwrap_or(start);
        let mut back = Vec::new();
        while n != start {
            back.push(n.to_string());
            n = prev[n];
        }
        back.reverse();
        path.extend(back);
        path.push(start.to_string());
        out.push(path);
    }
    out
}

/// Tarjan's strongly connected components, each sorted.
fn sccs<'a>(graph: &BTreeMap<&'a str, BTreeSet<&'a str>>) -> Vec<Vec<&'a str>> {
    struct St<'a> {
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on: BTreeSet<&'a str>,
        next: usize,
        out: Vec<Vec<&'a str>>,
    }
    fn visit<'a>(g: &BTreeMap<&'a str, BTreeSet<&'a str>>, v: &'a str, s: &mut St<'a>) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on.insert(v);
        for &w in &g[v] {
            if !s.index.contains_key(w) {
                visit(g, w, s);
                let lw = s.low[w];
                let lv = s.low.get_mut(v).expect("visited");
                *lv = (*lv).min(lw);
            } else if s.on.contains(w) {
                let iw = s.index[w];
                let lv = s.low.get_mut(v).expect("visited");
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on.remove(w);
                comp.push(w);
                if w == v {
                    break;
                }
            }
            comp.sort();
            s.out.push(comp);
        }
    }
    let mut s = St {
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    for &v in graph.keys() {
        if !s.index.contains_key(v) {
            visit(graph, v, &mut s);
        }
    }
    s.out.sort();
    s.out
}
