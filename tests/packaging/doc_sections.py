"""Reads docs/install.md into runnable sections, so that the tests run the page's commands
as they are written.

Each `## ` section becomes one bash script that starts at the repository's root. Its
fenced blocks, in order:
- ```sh: run as they are; the output of each is kept apart;
- a block after `<!-- file: PATH -->`: written to PATH (`~/` is the home directory);
- ```text after `<!-- output -->`: the last lines the sh block before it prints, exactly;
- a block after `<!-- not run: why -->`: left out, and reported with its reason.
Any other block is an error, so a command cannot slip into the page untested.
"""
import re
import shlex

BLOCK = re.compile(r"(?:<!-- (file|output|not run)(?:: (.*?))? -->\n\s*)?```(\w*)\n(.*?)```", re.S)


class Section:
    def __init__(self, title):
        self.title = title
        self.steps = []  # ("sh", text) | ("file", path, text)
        self.outputs = {}  # index of an sh step -> the text it must print
        self.not_run = []  # reasons
        self.errors = []


def parse(text):
    sections = []
    for part in re.split(r"^## ", text, flags=re.M)[1:]:
        title, _, body = part.partition("\n")
        section = Section(title.strip())
        for m in BLOCK.finditer(body):
            directive, argument, lang, content = m.groups()
            if directive == "not run":
                section.not_run.append(argument)
            elif directive == "file":
                section.steps.append(("file", argument, content))
            elif directive == "output":
                last = len(section.steps) - 1
                if lang != "text" or last < 0 or section.steps[last][0] != "sh":
                    section.errors.append("an output block must be ```text after an sh block")
                else:
                    section.outputs[last] = content
            elif lang == "sh":
                section.steps.append(("sh", content))
            else:
                section.errors.append(f"a ```{lang} block that is neither run nor marked")
        sections.append(section)
    return sections


def script(section, out_dir):
    """The bash script of a section: each sh step's standard output goes to
    out_dir/<index>.out (its standard error to the terminal, for failures)."""
    lines = ["set -euo pipefail"]
    for index, step in enumerate(section.steps):
        if step[0] == "file":
            path = step[1]
            target = '"$HOME"/' + shlex.quote(path[2:]) if path.startswith("~/") else shlex.quote(path)
            lines.append(f"cat > {target} <<'ROOMCODE_DOC_EOF'\n{step[2]}ROOMCODE_DOC_EOF")
        else:
            # which block a failure came from, on standard error
            lines.append(f"echo '[block {index + 1}]' >&2")
            lines.append(f"{{\n{step[1]}}} > {shlex.quote(f'{out_dir}/{index}.out')}")
    return "\n".join(lines) + "\n"
