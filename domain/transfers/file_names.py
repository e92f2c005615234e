"""Uploaded file names: kept only as data (stored files are named at random), and refused when they try tricks."""

from __future__ import annotations

import unicodedata

MAX_NAME = 255
#: Unicode categories a file name may not hold: controls, format characters (right-to-left overrides,
#: zero-width spaces), surrogates, private use and unassigned code points.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


class BadFileName(ValueError):
    """The uploaded file's name cannot be accepted; the message says why in the office's words."""


def checked_file_name(raw: str | None) -> str:
    """The uploaded file's name, NFC-normalised and trimmed, when it is a plain name.

    Raises BadFileName for no name, a name with a folder in it (``/``, ``\\``, ``..``), control or
    invisible characters (such as a right-to-left override that makes ``exe.xml`` look like
    ``lmx.exe``), a name made only of dots and spaces, or one longer than 255 characters.
    """
    name = unicodedata.normalize("NFC", raw or "").strip()
    if not name:
        raise BadFileName("The file has no name. Save it with a name and upload it again.")
    if not name.strip(". "):
        raise BadFileName("The file name is only dots and spaces. Rename the file and upload it again.")
    if "/" in name or "\\" in name or name.startswith(".."):
        raise BadFileName(f"The file name '{_shown(name)}' includes a folder. Upload the file itself, named like "
                          "8732001_CTF_8732002_001.xml.")
    if any(unicodedata.category(ch) in _REFUSED_CATEGORIES for ch in name):
        raise BadFileName(f"The file name '{_shown(name)}' contains hidden or control characters. Rename the file "
                          "using ordinary letters, digits, spaces, dots, dashes and underscores, then upload it again.")
    if len(name) > MAX_NAME:
        raise BadFileName(f"The file name is {len(name)} characters long. Shorten it to {MAX_NAME} characters or "
                          "fewer and upload it again.")
    return name


def _shown(name: str) -> str:
    """``name`` safe to show in a message: invisible characters as ``?``, at most 80 characters."""
    shown = "".join("?" if unicodedata.category(ch) in _REFUSED_CATEGORIES else ch for ch in name)
    return shown if len(shown) <= 80 else shown[:77] + "..."


#: How programs start, whatever they are called: Windows (MZ), Linux (ELF), macOS (Mach-O) and scripts (#!).
_PROGRAM_MAGIC = ((b"MZ", "a Windows program"), (b"\x7fELF", "a Linux program"), (b"\xcf\xfa\xed\xfe", "a Mac program"),
                  (b"\xca\xfe\xba\xbe", "a Mac or Java program"), (b"#!", "a script"))


def blocked_extensions(setting: str) -> frozenset[str]:
    """The extensions in a comma-separated setting, lower case and without dots."""
    return frozenset(part.strip().lower().lstrip(".") for part in setting.split(",") if part.strip())


def blocked_reason(name: str, start: bytes, blocked: frozenset[str]) -> str | None:
    """Why a file called ``name`` whose content begins with ``start`` may not be sent, or None.

    Refused: a name whose last extension is in ``blocked`` (so ``report.pdf.exe`` too, and ``run.bat.``, which
    Windows saves as ``run.bat``: trailing dots and spaces do not count), and content that starts as a program or
    script whatever the name says.
    """
    saved_as = name.rstrip(". ")
    extension = saved_as.rsplit(".", 1)[-1].lower() if "." in saved_as else ""
    if extension and extension in blocked:
        return (f"{name} is a .{extension} file, and programs and scripts cannot be sent through Gatehouse. If it is "
                "a document, save it in a document format (PDF, Word, Excel, CSV) and send that.")
    for magic, what in _PROGRAM_MAGIC:
        if start.startswith(magic):
            return (f"{name} is {what}, whatever its name says, and programs and scripts cannot be sent through "
                    "Gatehouse.")
    return None
