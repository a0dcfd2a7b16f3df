"""Smaller index chunks, so a search fetches only a little more than the words it looks up.

Pagefind splits its word index into chunks of about 20,000 word positions, a size fixed in its
source (`chunk_index(word_map, 20000)`, marked there as a future option). A search fetches every
chunk whose word range holds a word of the query, so on a site of 1,000 posts each word costs
25 to 40 KB, and two words can pass 100 KB. `split_chunks` rewrites the bundle's chunks at a
smaller size, cut as Pagefind cuts them (words in order, never one word across two chunks, each
chunk's range shortened to the prefixes that tell it from its neighbours) but at the places
where neighbouring words share the shortest beginning (see `cut`), and writes the metadata and
the entry file that point at them. Each file keeps Pagefind's own encoding
(gzip of a signature and CBOR), so its library reads them as it reads its own.

The words are held as Pagefind encoded them (each word's CBOR, with its size), never as Python
lists of positions: a site of 1,000 posts has over a million positions, which as Python
integers took some 40 MB while the chunks were cut.

Only bundles of a Pagefind version this module knows are rewritten; any other is left as
Pagefind wrote it, with a warning, so search keeps working at the larger size.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
from pathlib import Path
from typing import Any

import cbor2

__all__ = ["KNOWN_VERSIONS", "SIGNATURE", "split_chunks"]

logger = logging.getLogger(__name__)

SIGNATURE = b"pagefind_dcd"
KNOWN_VERSIONS = ("1.5.",)
INDEX_FOLDER = "index"


def read_file(path: Path) -> Any:
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise ValueError(f"{path} is not a Pagefind file")
    return cbor2.loads(data[len(SIGNATURE) :])


def encoded(value: Any) -> bytes:
    return gzip.compress(SIGNATURE + cbor2.dumps(value), compresslevel=6, mtime=0)


# One word of the index: its text, its size in positions, and its CBOR as Pagefind wrote it.
Word = tuple[str, int, bytes]


def read_words(path: Path) -> list[Word]:
    """The words of an index chunk, each kept encoded (see the module's docstring)."""
    return [(word[0], positions(word), cbor2.dumps(word)) for word in read_file(path)[0]]


def array_header(length: int) -> bytes:
    """The head of a CBOR array of `length` items (major type 4), as cbor2 writes it."""
    if length < 24:
        return bytes([0x80 + length])
    for marker, size in ((0x98, 1), (0x99, 2), (0x9A, 4), (0x9B, 8)):
        if length < 1 << (8 * size):
            return bytes([marker]) + length.to_bytes(size, "big")
    raise ValueError(f"an array of {length} items")


def encoded_chunk(chunk: list[Word]) -> bytes:
    """What `encoded([words])` writes for a chunk, from the words' own encodings."""
    body = array_header(1) + array_header(len(chunk)) + b"".join(word[2] for word in chunk)
    return gzip.compress(SIGNATURE + body, compresslevel=6, mtime=0)


def short_hash(data: bytes, taken: set[str], language: str) -> str:
    """A name in Pagefind's style (`en_1a2b3c4`), longer only where two would collide."""
    digest = hashlib.sha256(data).hexdigest()
    length = 7
    while f"{language}_{digest[:length]}" in taken:
        length += 1
    name = f"{language}_{digest[:length]}"
    taken.add(name)
    return name


def positions(word: list[Any]) -> int:
    """What Pagefind counts toward a chunk's size: each page's positions, plus one."""
    return sum(len(page[1]) + 1 for page in word[1])


def prefixes(last: str, first: str) -> tuple[str, str]:
    """The shortest prefixes that tell the end of one chunk from the start of the next."""
    common = common_length(last, first)
    return last[: common + 1], first[: common + 1]


def common_length(a: str, b: str) -> int:
    length = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        length += 1
    return length


def cut(words: list[Word], size: int) -> list[list[Word]]:
    """Words in order, cut into chunks of about `size` positions (between half and twice it).

    A search loads one chunk per word it looks up, and finds longer words that begin with it
    (`hud` finds "huddle") only in that chunk. So each cut goes where the words either side
    share the shortest beginning: a word longer than that beginning finds all its extensions
    in one chunk. Pagefind cuts wherever its size is reached, even between "discharg" and
    "discharge".
    """
    chunks: list[list[Word]] = []
    start = 0
    remaining = sum(word[1] for word in words)
    while start < len(words):
        if remaining < 2 * size:
            chunks.append(words[start:])
            break
        held = 0
        best = -1
        best_score: tuple[int, int] = (0, 0)
        index = start
        while index < len(words) - 1:
            held += words[index][1]
            if held >= size // 2:
                score = (common_length(words[index][0], words[index + 1][0]), abs(held - size))
                if best < 0 or score < best_score:
                    best, best_score = index, score
            if held >= 2 * size:
                break
            index += 1
        if best < 0:
            best = index
        chunk = words[start : best + 1]
        chunks.append(chunk)
        remaining -= sum(word[1] for word in chunk)
        start = best + 1
    return chunks


def split_language(bundle: Path, language: str, entry: dict[str, Any], size: int) -> None:
    meta_path = bundle / f"pagefind.{entry['hash']}.pf_meta"
    meta = read_file(meta_path)
    old_names = [chunk[2] for chunk in meta[2]]
    words: list[Word] = []
    for name in old_names:
        words.extend(read_words(bundle / INDEX_FOLDER / f"{name}.pf_index"))
    words.sort(key=lambda word: word[0])
    chunks = cut(words, size)
    ranges = [[chunk[0][0], chunk[-1][0], ""] for chunk in chunks]
    for left, right in zip(ranges, ranges[1:], strict=False):
        left[1], right[0] = prefixes(left[1], right[0])
    taken: set[str] = set()
    for index, chunk in enumerate(chunks):
        data = encoded_chunk(chunk)
        name = short_hash(data, taken, language)
        (bundle / INDEX_FOLDER / f"{name}.pf_index").write_bytes(data)
        ranges[index][2] = name
    for name in set(old_names) - taken:
        (bundle / INDEX_FOLDER / f"{name}.pf_index").unlink()
    meta[2] = ranges
    data = encoded(meta)
    meta_hash = f"{language}_{hashlib.sha256(data).hexdigest()[:10]}"
    meta_path.unlink()
    (bundle / f"pagefind.{meta_hash}.pf_meta").write_bytes(data)
    entry["hash"] = meta_hash
    logger.info(
        "Search index: %s chunks of ~%s positions, was %s", len(chunks), size, len(old_names)
    )


def split_chunks(bundle: Path, size: int) -> bool:
    """Rewrite the Pagefind bundle in `bundle` with chunks of about `size` positions.

    Returns whether it did; a bundle of an unknown Pagefind version is left as it is.
    """
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text())
    version = str(entry.get("version", ""))
    if not version.startswith(KNOWN_VERSIONS):
        logger.warning(
            "Search index left at Pagefind's chunk size: version %s is not one of %s",
            version,
            ", ".join(KNOWN_VERSIONS),
        )
        return False
    for language, details in entry["languages"].items():
        split_language(bundle, language, details, size)
    entry_path.write_text(json.dumps(entry, separators=(",", ":"), ensure_ascii=False))
    return True
