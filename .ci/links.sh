#!/usr/bin/env bash
# Every relative link and #anchor in README.md and docs/*.md resolves: the file
# exists, and a #fragment names a heading of the target page (GitHub's slugs).
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 - README.md docs/*.md <<'PY'
import os, re, sys

FENCE = re.compile(r'^\s*(```|~~~)')
LINK = re.compile(r'(?<!\!)\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)')
CODE = re.compile(r'`[^`]*`')

def text_lines(path):
    """The lines outside fenced code blocks, with their numbers."""
    fenced = False
    with open(path, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            if FENCE.match(line):
                fenced = not fenced
                continue
            if not fenced:
                yield n, line.rstrip('\n')

def slug(heading):
    s = heading.strip().lower()
    s = re.sub(r'\[([^\]]*)\]\([^)]*\)', r'\1', s)    # a link shows its text
    s = s.replace('`', '')
    s = re.sub(r'[^\w\- ]', '', s)
    return s.replace(' ', '-')

anchors_cache = {}
def anchors(path):
    if path not in anchors_cache:
        seen, out = {}, set()
        for _, line in text_lines(path):
            m = re.match(r'^(#{1,6})\s+(.*?)\s*#*\s*$', line)
            if m:
                base = slug(m.group(2))
                k = seen.get(base, 0)
                seen[base] = k + 1
                out.add(base if k == 0 else f'{base}-{k}')
        anchors_cache[path] = out
    return anchors_cache[path]

bad = checked = 0
for page in sys.argv[1:]:
    for n, line in text_lines(page):
        for target in LINK.findall(CODE.sub('', line)):
            if re.match(r'^[a-z][a-z0-9+.-]*:', target, re.I):   # https:, mailto:
                continue
            checked += 1
            file, _, frag = target.partition('#')
            dest = os.path.normpath(os.path.join(os.path.dirname(page), file)) if file else page
            if not os.path.exists(dest):
                print(f'{page}:{n}: {target}: no such file {dest}')
                bad += 1
            elif frag and dest.endswith('.md') and frag not in anchors(dest):
                print(f'{page}:{n}: {target}: no heading #{frag} in {dest}')
                bad += 1
print(f'links: {checked} relative links checked in {len(sys.argv) - 1} pages, {bad} broken')
sys.exit(1 if bad else 0)
PY
