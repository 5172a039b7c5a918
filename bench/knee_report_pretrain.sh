#!/usr/bin/env bash
# Issue 4 on real data: pretrain on knee radiographs paired with French reports written from
# their Kellgren–Lawrence grades, then grade held-out knees by kNN with the image encoder,
# against the same architecture with random weights. Target: +15 accuracy points (k=20).
#
# Usage: bench/knee_report_pretrain.sh [WORK_DIR]   (default: a fresh temporary folder)
# Data:  ../shared/data/knee-kl/{train,val}/<grade>/<OAI id><L|R>.png (skips cleanly when absent)
# Writes the checkpoint to runs/knee-kl/checkpoint; export + store go to WORK_DIR.
# Budget (epochs, not minutes, so results do not depend on machine load): the KNEE_* variables below.
# Recipe: the from-scratch text tower first gets KNEE_TEXT_WARMUP SimCSE steps on the reports alone
# (a random BERT maps every report to nearly the same vector, and CLIP then sits on the ln(batch)
# loss plateau: it did in every run without it), then stays locked while the image tower learns
# to point at its reports; whole reports only (the short views are for query-style text).
# Figures and timings: BENCHMARKS.md ("Knee KL: report pretraining").
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
DATA="${KNEE_DATA:-$REPO/../shared/data/knee-kl}"
PYTHON="${PYTHON:-$REPO/.venv/bin/python}"
RUN="${KNEE_RUN:-runs/knee-kl}"
MODEL="${KNEE_MODEL:-small}"
EPOCHS="${KNEE_EPOCHS:-40}"
BATCH="${KNEE_BATCH:-64}"
LR="${KNEE_LR:-2e-3}"
TEXT_WARMUP="${KNEE_TEXT_WARMUP:-150}"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1

if [[ ! -d "$DATA/train" || ! -d "$DATA/val" ]]; then
  echo "knee_report_pretrain: skipped — $DATA/{train,val} not found (real knee data lives in ../shared/data/knee-kl)"
  exit 0
fi

if [[ $# -ge 1 ]]; then
  WORK="$1"
  if [[ -e "$WORK" ]]; then echo "knee_report_pretrain: $WORK exists; pass a new folder" >&2; exit 2; fi
  mkdir -p "$WORK"
else
  WORK="$(mktemp -d -t knee-kl-XXXXXX)"
  trap 'rm -rf "$WORK"' EXIT
fi

bonesearch() { "$PYTHON" -c "import sys; sys.argv[0] = 'bonesearch'; from cli import app; app()" "$@"; }
T0=$SECONDS
stage() { echo "[$(( SECONDS - T0 )) s] $*"; }
declare -A TIMES

stage "1/4 export: French reports + DICOM for $DATA/train"
t=$SECONDS
"$PYTHON" bench/knee_reports.py "$DATA/train" "$WORK"
TIMES[export]=$(( SECONDS - t ))

stage "2/4 ingest (de-identification, OCR screen) → $WORK/store"
t=$SECONDS
# 224-px cache: the knee PNGs are 224 px, so the store holds them unresampled
bonesearch ingest "$WORK/export" --store "$WORK/store" --cache-size 224
TIMES[ingest]=$(( SECONDS - t ))

stage "3/4 pretrain $MODEL: $TEXT_WARMUP text warm-up steps, then $EPOCHS epochs (text locked), batch $BATCH, lr $LR → $RUN"
t=$SECONDS
rm -rf "$RUN"
bonesearch pretrain --store "$WORK/store" --out "$RUN" --model "$MODEL" --epochs "$EPOCHS" \
  --batch-size "$BATCH" --lr "$LR" --held-out 0.05 --seed 0 --device auto \
  --text-warmup "$TEXT_WARMUP" --lock-text --full-text-p 1
TIMES[pretrain]=$(( SECONDS - t ))

stage "4/4 kNN on $DATA/val: pretrained vs random weights"
t=$SECONDS
status=0
"$PYTHON" bench/knee_knn.py --checkpoint "$RUN/checkpoint" --train "$DATA/train" --test "$DATA/val" \
  --json "$RUN/knn.json" || status=$?
TIMES[knn]=$(( SECONDS - t ))

echo "stage times: export ${TIMES[export]} s, ingest ${TIMES[ingest]} s, pretrain ${TIMES[pretrain]} s, knn ${TIMES[knn]} s; total $(( SECONDS - T0 )) s"
exit "$status"
