"""`coopsim profile REGION --out FILE`: write a starting profile of one region (its traits and
known partnerships) as a scenario file a planner edits; see scenarios/README.md."""

from __future__ import annotations

import os
from pathlib import Path

from coopsim.config.errors import Text, UserError
from coopsim.config.toml import excerpt
from coopsim.reporting.i18n import LANGUAGES, default_language, translate
from coopsim.workflows.profile import lever_file_name, region_profile

__all__ = ["add_arguments", "main"]

BASELINE = Path("scenarios") / "baseline.toml"


def add_arguments(parser) -> None:
    """Options of `coopsim profile`."""
    parser.add_argument("region", help='the region\'s name or a province\'s ISO code, e.g. "Kota Surabaya", ID-YO')
    parser.add_argument("--out", required=True, help="the scenario file to write, e.g. my_region.toml")
    parser.add_argument("--scenario", default=str(BASELINE),
                        help=f"the base scenario the profile extends and draws its starting traits from "
                             f"(default {BASELINE.as_posix()})")
    parser.add_argument("--seed", type=int, default=0, help="the run seed whose draws give the starting traits")
    parser.add_argument("--force", action="store_true", help="replace --out if it exists")
    parser.add_argument("--lang", choices=LANGUAGES, default=None,
                        help="language of the printed message (the file's comments are in both); default: the "
                             "environment's (COOPSIM_LANG, LANG)")


def main(args) -> int:
    """Write the profile file and say how to use it.

    Args:
        args: the parsed options (`region`, `out`, `scenario`, `seed`, `force`, `lang`).

    Returns:
        0.

    Raises:
        UserError: --out exists (without --force) or is a folder, its folder does not exist,
            the base scenario cannot be read, or no region has that name.
    """
    out, base = Path(args.out), Path(args.scenario)
    if out.is_dir() or str(args.out).endswith(("/", os.sep)):
        raise UserError(Text("profile.out_is_folder", out=excerpt(str(out))))
    if out.exists() and not args.force:
        raise UserError(Text("profile.out_exists", out=excerpt(str(out))))
    if not out.parent.is_dir():
        raise UserError(Text("profile.out_no_folder", out=excerpt(str(out)), parent=excerpt(str(out.parent))))
    if not base.is_file():
        raise UserError(Text("profile.no_scenario", base=excerpt(str(base))))
    profile = region_profile(args.region, base, extends=_relative(base, out.parent), seed=args.seed,
                             file_name=out.name)
    out.write_text(profile.text, encoding="utf-8")
    lever = out.with_name(lever_file_name(out.name))
    command = f'coopsim compare {out.as_posix()} {lever.as_posix()} --region "{profile.region}"'
    print(translate("profile.cli.wrote", args.lang or default_language(), region=profile.region, path=out.as_posix(),
                    n=profile.partnerships, command=command))
    return 0


def _relative(target: Path, folder: Path) -> str:
    """`target` as written in a file in `folder` (relative where possible, with forward slashes)."""
    try:
        return Path(os.path.relpath(target.resolve(), folder.resolve())).as_posix()
    except ValueError:   # another drive (Windows)
        return target.resolve().as_posix()
