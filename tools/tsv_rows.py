"""The data rows of casus's tab-separated knowledge files, as the check scripts read them.

A file's first non-comment, non-blank line must be its header; each later line is a row of
exactly as many columns. Shape problems are appended to `problems` (one line each, with file
and line number) and the row is skipped, so a checker reports every problem in one run.
"""


def rows(files, header, problems):
    """Yields (file, "name:line", columns) for every well-formed data row of `files`."""
    for f in files:
        body = [(n, l) for n, l in enumerate(f.read_text(encoding="utf-8").splitlines(), 1)
                if l.strip() and not l.startswith("#")]
        if not body or body[0][1].split("\t") != header:
            problems.append(f"{f.name}: first non-comment line must be the header {header}")
            continue
        for n, line in body[1:]:
            where = f"{f.name}:{n}"
            cols = line.split("\t")
            if len(cols) != len(header):
                problems.append(f"{where}: {len(cols)} columns, want {len(header)}")
                continue
            yield f, where, cols
