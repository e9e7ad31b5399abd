//! One path (issue 17, item 7): request → validated spec → plan → observe →
//! diagnose → Report is `Prober::probe_with` in `src/probe/mod.rs`, and
//! HTTP, the CLI, batches and readiness all reach it through
//! `Prober::probe*`. This check holds the other half of that: no module but
//! the pipeline (and the diagnosis itself) turns observations into a Report,
//! so an interface cannot grow a second way to one. It parses `src/` with
//! `syn` and looks for `diagnosis::report` / `diagnosis::diagnose` in paths
//! and `use` lines outside test code.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// The functions that turn observations into a judgement.
const JUDGE: &[&str] = &["diagnosis::report", "diagnosis::diagnose"];

/// Where they may be named: the pipeline's one path, and the diagnosis.
fn may_judge(file: &str) -> bool {
    file == "probe/mod.rs" || file.starts_with("diagnosis/") || file == "diagnosis.rs"
}

fn is_cfg_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("test")
            || (a.path().is_ident("cfg")
                && a.meta.require_list().is_ok_and(|l| {
                    l.tokens
                        .to_string()
                        .split(|c: char| !c.is_alphanumeric() && c != '_')
                        .any(|w| w == "test")
                }))
    })
}

/// Every `a::b::c` a `use` tree names.
fn flatten(tree: &syn::UseTree, prefix: &str, out: &mut Vec<String>) {
    let join = |name: String| {
        if prefix.is_empty() {
            name
        } else {
            format!("{prefix}::{name}")
        }
    };
    match tree {
        syn::UseTree::Path(p) => flatten(&p.tree, &join(p.ident.to_string()), out),
        syn::UseTree::Name(n) => out.push(join(n.ident.to_string())),
        syn::UseTree::Rename(r) => out.push(join(r.ident.to_string())),
        syn::UseTree::Glob(_) => out.push(join("*".into())),
        syn::UseTree::Group(g) => g.items.iter().for_each(|t| flatten(t, prefix, out)),
    }
}

/// Collects the judging paths a file names outside test code, and the
/// files it declares as test modules.
#[derive(Default)]
struct Finder {
    named: Vec<String>,
    test_modules: Vec<String>,
}

impl Finder {
    fn note(&mut self, path: String) {
        if JUDGE.iter().any(|j| path.ends_with(j)) {
            self.named.push(path);
        }
    }
}

impl<'ast> Visit<'ast> for Finder {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        let attrs = match item {
            syn::Item::Mod(m) => &m.attrs,
            syn::Item::Fn(f) => &f.attrs,
            syn::Item::Impl(i) => &i.attrs,
            syn::Item::Use(u) => &u.attrs,
            syn::Item::Const(c) => &c.attrs,
            syn::Item::Static(s) => &s.attrs,
            _ => return syn::visit::visit_item(self, item),
        };
        if is_cfg_test(attrs) {
            if let syn::Item::Mod(m) = item
                && m.content.is_none()
            {
                self.test_modules.push(m.ident.to_string());
            }
            return;
        }
        syn::visit::visit_item(self, item);
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        if !is_cfg_test(&f.attrs) {
            syn::visit::visit_impl_item_fn(self, f);
        }
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        let mut paths = Vec::new();
        flatten(&u.tree, "", &mut paths);
        paths.into_iter().for_each(|p| self.note(p));
    }

    fn visit_path(&mut self, p: &'ast syn::Path) {
        let text = p
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect::<Vec<_>>()
            .join("::");
        self.note(text);
        syn::visit::visit_path(self, p);
    }
}

fn find(text: &str) -> Finder {
    let file = syn::parse_file(text).expect("parses");
    let mut finder = Finder::default();
    finder.visit_file(&file);
    finder
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read src")
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The file (relative to `src/`) a `mod name;` in `file` declares.
fn module_files(file: &str, name: &str) -> [String; 2] {
    let base = match file.rsplit_once('/') {
        Some((dir, f)) if ["mod.rs", "lib.rs", "main.rs"].contains(&f) => dir.to_string(),
        Some((dir, f)) => format!("{dir}/{}", f.trim_end_matches(".rs")),
        None if ["lib.rs", "main.rs"].contains(&file) => String::new(),
        None => file.trim_end_matches(".rs").to_string(),
    };
    let at = |rest: String| {
        if base.is_empty() {
            rest
        } else {
            format!("{base}/{rest}")
        }
    };
    [at(format!("{name}.rs")), at(format!("{name}/mod.rs"))]
}

#[test]
fn only_the_pipeline_turns_observations_into_a_report() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut test_files = BTreeSet::new();
    let mut named = Vec::new();
    for path in &files {
        let rel = path
            .strip_prefix(&src)
            .expect("under src")
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(path).expect("read source");
        let found = find(&text);
        for m in &found.test_modules {
            test_files.extend(module_files(&rel, m));
        }
        named.extend(found.named.into_iter().map(|p| (rel.clone(), p)));
    }
    let outside: Vec<String> = named
        .iter()
        .filter(|(file, _)| !may_judge(file) && !test_files.contains(file))
        .map(|(file, path)| format!("{file} names {path}"))
        .collect();
    assert!(
        outside.is_empty(),
        "only src/probe/mod.rs may turn observations into a Report (call Prober::probe*):\n{}",
        outside.join("\n")
    );
    assert!(
        named.iter().any(|(file, _)| file == "probe/mod.rs"),
        "the pipeline no longer calls the diagnosis: {named:?}"
    );
}

/// The check sees a call, a `use` of the function (also inside a group),
/// and ignores test code and the Report type's own module.
#[test]
fn the_one_path_check_sees_calls_and_uses_not_tests() {
    let call = find("fn f(o: O) -> R { crate::diagnosis::report(o, None) }");
    assert_eq!(call.named, vec!["crate::diagnosis::report"]);
    let used = find("use crate::diagnosis::{self, diagnose};");
    assert_eq!(used.named, vec!["crate::diagnosis::diagnose"]);
    let method = find("impl P { fn p(&self, o: O) -> R { diagnosis::report(o, None) } }");
    assert_eq!(method.named, vec!["diagnosis::report"]);
    let tests = find(
        "use crate::report::Report;\n\
         #[cfg(test)]\nmod tests { fn t(o: O) { crate::diagnosis::report(o, None); } }\n\
         #[cfg(test)]\nmod more;\n\
         impl P { #[cfg(test)] fn t(o: O) { crate::diagnosis::report(o, None); } }",
    );
    assert!(tests.named.is_empty(), "{:?}", tests.named);
    assert_eq!(tests.test_modules, vec!["more"]);
    assert_eq!(
        module_files("readiness/mod.rs", "tests"),
        ["readiness/tests.rs", "readiness/tests/mod.rs"]
    );
    assert_eq!(
        module_files("diagnosis/findings.rs", "mail"),
        [
            "diagnosis/findings/mail.rs",
            "diagnosis/findings/mail/mod.rs"
        ]
    );
    assert!(!may_judge("cli.rs") && !may_judge("readiness/mod.rs"));
}
