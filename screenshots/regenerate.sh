#!/usr/bin/env bash
# Regenerates every picture in this folder with the program's own renderer:
# each demo runs for a while (no terminal needed) and the live view is drawn
# into an SVG at 120x40 (the big layout and the description card at 100x30,
# a common projector size).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/chanviz
$bin screenshot mpsc         --at 8s  --out screenshots/mpsc.svg
$bin screenshot backpressure --at 4s  --out screenshots/backpressure.svg
$bin screenshot shutdown     --at 6600ms --out screenshots/shutdown.svg
$bin screenshot shutdown     --at 13s --out screenshots/shutdown-closed.svg
$bin screenshot idle-consumers --at 4s --out screenshots/idle-consumers.svg
$bin screenshot mpsc         --at 3s  --help-screen --out screenshots/help.svg
$bin screenshot mpsc         --at 3s  --ascii --pause --out screenshots/mpsc-ascii.svg
$bin screenshot mpsc         --at 8s  --big --size 100x30 --out screenshots/big.svg
$bin screenshot shutdown     --at 1s  --card --size 100x30 --out screenshots/card.svg
$bin screenshot lesson-backpressure --at 3500ms --out screenshots/lesson.svg
$bin screenshot mpsc         --at 8s  --back 40 --out screenshots/rewind.svg
rec=$(mktemp --suffix=.rec)
$bin demo mpsc --headless --duration 8s --record "$rec" > /dev/null
$bin screenshot "$rec" --at 5s --out screenshots/replay.svg
rm -f "$rec"
echo "screenshots written to screenshots/"
