#!/usr/bin/env bash
# Builds the firmware examples (harness/firmware for Cortex-M, harness/firmware-riscv for
# RISC-V) for every target, runs them under QEMU
# with the instruction-count plugin, checks that it prints 100% accuracy and the same final-loss
# bits and weights checksum as the desktop example, and measures the footprint and speed of
# training, the inference-only footprint, learning the latch from a stream (feature latch: the
# desktop example `latch`'s bits, footprint and instructions), and what printing a float through
# core::fmt would add (feature fmt-float). A full run writes its tables, and the goals they meet,
# into docs/footprint.md (between the markers that name this script; CI fails if that changes
# what is committed); QUICK=1 writes nothing there.
#
#   bash scripts/firmware.sh            # all targets, profiles release (size) and speed
#   QUICK=1 bash scripts/firmware.sh    # release profile only
#
# Needs: qemu-system-arm and qemu-system-misc (Debian bookworm-backports), the thumb and
# riscv32imac targets, llvm-tools (rustup).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=$root/target/firmware-report
mkdir -p "$out"

fail() { echo "FIRMWARE CHECK FAILED: $*" >&2; exit 1; }

# shellcheck source=scripts/firmware-common.sh
. scripts/firmware-common.sh

# What the desktop computes for the same seed and settings; it also saves the trained model,
# which must be byte for byte the one committed for the firmware's `pretrained` feature.
cargo run --release --quiet --example binary_addition -- --quiet --no-plot \
  --save-model "$out/desktop-model.trnm" > "$out/desktop.txt"
cmp "$out/desktop-model.trnm" "$root/examples/firmware/model/addition-2-16-1.trnm" \
  || fail "the desktop's trained model differs from examples/firmware/model/addition-2-16-1.trnm"
want_loss=$(loss_bits_of "$out/desktop.txt")
want_sum=$(checksum_of "$out/desktop.txt")
[ -n "$want_loss" ] && [ -n "$want_sum" ] || fail "could not read the desktop example's output"
echo "desktop: final loss bits $want_loss, weights checksum $want_sum"

rows=()
doc_rows=()
declare -A rel_flash rel_ram rel_iter
# The training firmware of one target and profile: `start` builds it and starts its QEMU run in
# the background, beside the next builds (QEMU takes one core; the builds go one at a time
# anyway), on a copy of its ELF (the next build overwrites the ELF); `finish` waits for that
# run, checks it and makes its rows.
declare -A run_pid
start() {
  local target=$1 profile=$2
  build "$target" "$profile"
  local elf=$out/$target-$profile.elf
  cp "$(elf_of "$target" "$profile")" "$elf"
  count_run "$target" "$elf" "$out/$target-$profile" &
  run_pid[$target-$profile]=$!
}
finish() {
  local target=$1 profile=$2
  local elf=$out/$target-$profile.elf
  local log=$out/$target-$profile
  wait "${run_pid[$target-$profile]}" || fail "$target ($profile): the firmware run failed (see above)"
  grep -q "^saved the training state (1336 bytes) at iteration 5000, wiped it, restored it$" "$log.txt" \
    || fail "$target ($profile): no save/restore in the middle of training"
  local loss sum
  loss=$(loss_bits_of "$log.txt")
  sum=$(checksum_of "$log.txt")
  [ "$loss" = "$want_loss" ] || fail "$target ($profile): final loss bits $loss, desktop $want_loss"
  [ "$sum" = "$want_sum" ] || fail "$target ($profile): checksum $sum, desktop $want_sum"

  # Footprint: flash from the ELF, RAM from the run.
  local flash statics peak
  flash=$(flash_of "$elf")
  statics=$(static_ram_of "$log.txt")
  peak=$(peak_stack_of "$log.txt")
  local ram=$((statics + peak))
  # Instructions: marks 0, 1, 2 = start of training, end of training, end of evaluation (the
  # prefix walk over all pairs); rounded to the nearest instruction, as
  # scripts/firmware-profile.sh prints them.
  local counts
  mapfile -t counts < <(marks_of "$log.insn")
  local train=$(( counts[1] - counts[0] )) walk=$(( counts[2] - counts[1] ))
  local per_iter
  per_iter=$(insns_per_iteration "$log.insn")
  local ms
  ms=$(awk -v n="$per_iter" 'BEGIN {printf "%.2f", n / 64e6 * 1e3}')
  rows+=("| $(core "$target") | \`$target\` | $profile | $flash | $statics | $peak | $ram | $per_iter | $ms | $walk | $sum |")
  # The same row as docs/footprint.md prints it: thousands separated, milliseconds to three
  # figures.
  local ms_doc
  ms_doc=$(awk -v n="$per_iter" 'BEGIN {ms = n / 64e6 * 1e3; printf (ms < 10 ? "%.2f" : "%.1f"), ms}')
  doc_rows+=("| $(core "$target") | $profile | $(commas "$flash") | $(commas "$statics") | $(commas "$peak") | $(commas "$ram") | $(commas "$per_iter") | $ms_doc | $(commas "$walk") |")
  if [ "$profile" = release ]; then
    rel_flash[$target]=$flash rel_ram[$target]=$ram rel_iter[$target]=$per_iter
    # For scripts/small-code.sh --reuse: this build's flash (the ELF is overwritten by the
    # builds with other features below; the run's output stays).
    echo "$flash" > "$log.flash"
  fi
  # The memory budget of the `release` builds (issue: at most 16 KiB of flash and 6 KiB of RAM
  # for 2-16-1); some margins are thin, so a change that breaks them fails here.
  if [ "$profile" = release ]; then
    [ "$flash" -le 16384 ] || fail "$target: flash $flash B is over the 16 KiB budget"
    [ "$ram" -le 6144 ] || fail "$target: RAM $ram B is over the 6 KiB budget"
  fi
  # The time goal (issue: at most 30,000 instructions per training iteration on the Cortex-M4F),
  # met with a thin margin: a change that loses it fails here. A count of executed instructions
  # is exact and repeatable, not a timing.
  if [ "$profile" = release ] && [ "$target" = thumbv7em-none-eabihf ]; then
    [ "$train" -le $(( 30000 * train_iterations )) ] ||
      fail "$target: $per_iter instructions per iteration is over the 30,000 goal"
  fi
  echo "$target ($profile): ok — flash $flash B, RAM $ram B, $per_iter instructions/iteration"
}

# A panic and a hard fault must end QEMU with a non-zero status, not hang.
for t in $targets; do
  for crash in crash-panic crash-fault; do
    build "$t" release "$crash" 2>/dev/null
    status=0
    # shellcheck disable=SC2046
    timeout 60 $(machine "$t") -kernel "$(elf_of "$t" release)" > "$out/$t-$crash.txt" 2>&1 || status=$?
    case $status in
      0) fail "$t: $crash exited with status 0";;
      124) fail "$t: $crash hung (killed by timeout)";;
      *) echo "$t: $crash ends QEMU with status $status";;
    esac
  done
done

# No panic path survives in the firmware (training, inference, saving, output) nor anywhere in
# tinyrnn's public API (harness/firmware/src/api_check.rs calls every public function with
# inputs the optimiser cannot see): with the `panic-check` feature the panic handler calls an
# undefined function, so the link fails if any panic remains. The `overflow-check` profile is
# `release` with overflow checks on, as in a debug build: no arithmetic can overflow either.
# First, that api_check.rs still names every public function of src/ (a function added later
# must be added there too). By name only: `step` stands for Rnn's, Trainer's and Latch's.
for f in $(grep -ohE '^ *pub (const )?fn [a-z_0-9]+' "$root"/src/*.rs "$root"/src/*/*.rs | awk '{ print $NF }' | sort -u); do
  grep -qw "$f" "$root/harness/firmware/src/api_check.rs" \
    || fail "harness/firmware/src/api_check.rs does not call tinyrnn's public function $f"
done
# And that it builds every variant of `Error` for the formatter: the enum is `#[non_exhaustive]`,
# so outside the crate a match on it needs a wildcard arm, and the compiler cannot tell when a
# variant added later is missing there.
variants=$(awk '/^pub enum Error \{/ { on = 1; next } on && /^\}/ { on = 0 }
                on && /^    [A-Z]/ { sub(/^    /, ""); sub(/[^A-Za-z0-9].*/, ""); print }' \
  "$root/src/error.rs")
[ -n "$variants" ] || fail "found no variant of Error in src/error.rs"
for v in $variants; do
  grep -qw "Error::$v" "$root/harness/firmware/src/api_check.rs" \
    || fail "harness/firmware/src/api_check.rs does not format tinyrnn's Error::$v"
done
for t in $targets; do
  for profile in release speed overflow-check; do
    build "$t" "$profile" panic-check \
      || fail "$t ($profile): a panic path survives (see the undefined symbol above)"
  done
  echo "$t: no panic path (release, speed and overflow-check profiles)"
done

# Train on the desktop, run on the board: the committed desktop model, evaluated on the device.
# Its footprint is that of an application that only runs a trained model (it reads the model
# with its checksum, and prints).
inference_rows=()
doc_inference_rows=()
for t in $targets; do
  build "$t" release pretrained
  log=$out/$t-pretrained
  count_run "$t" "$(elf_of "$t" release)" "$log"
  sum=$(checksum_of "$log.txt")
  [ "$sum" = "$want_sum" ] || fail "$t: embedded model checksum $sum, desktop $want_sum"
  grep -q "^exact accuracy: 16384/16384 pairs$" "$log.txt" || fail "$t: pretrained model not 100%"
  p_flash=$(flash_of "$(elf_of "$t" release)")
  p_static=$(static_ram_of "$log.txt")
  p_peak=$(peak_stack_of "$log.txt")
  [ -n "$p_flash" ] && [ -n "$p_static" ] && [ -n "$p_peak" ] || fail "$t: no pretrained footprint"
  # Instructions: marks 1 and 2 = start and end of the evaluation (the prefix walk over all
  # pairs); with the feature `passes`, of 256 plain inference passes instead, one pass a pair as
  # the plain evaluation runs them.
  mapfile -t counts < <(marks_of "$log.insn")
  [ "${#counts[@]}" -ge 2 ] || fail "$t: expected 2 marks in $log.insn"
  p_walk=$(( counts[1] - counts[0] ))
  build "$t" release passes
  count_run "$t" "$(elf_of "$t" release)" "$log-passes"
  grep -q "^plain inference passes: $infer_pairs/$infer_pairs pairs right$" "$log-passes.txt" \
    || fail "$t: the plain inference passes do not add the first $infer_pairs pairs right"
  [ "$(checksum_of "$log-passes.txt")" = "$want_sum" ] || fail "$t: passes: embedded model checksum differs"
  mapfile -t counts < <(marks_of "$log-passes.insn")
  [ "${#counts[@]}" -ge 2 ] || fail "$t: expected 2 marks in $log-passes.insn"
  p_passes=$(( counts[1] - counts[0] ))
  p_pass=$(( (p_passes + infer_pairs / 2) / infer_pairs ))
  p_plain=$(( (p_passes * eval_pairs + infer_pairs / 2) / infer_pairs ))
  p_ratio=$(awk -v p="$p_plain" -v w="$p_walk" 'BEGIN {printf "%.2f", p / w}')
  # The goal (issue 38): the evaluation takes at least 3 times fewer instructions than one pass a
  # pair on the Cortex-M4F.
  if [ "$t" = thumbv7em-none-eabihf ]; then
    [ $(( p_walk * 3 )) -le "$p_plain" ] ||
      fail "$t: the evaluation takes $p_walk instructions, not 3 times fewer than $p_plain"
  fi
  inference_rows+=("| $(core "$t") | \`$t\` | $p_flash | $p_static | $p_peak | $((p_static + p_peak)) | $p_pass | $p_walk | $p_ratio |")
  doc_inference_rows+=("| $(short_core "$t") | $(commas "$p_flash") | $(commas "$p_static") | $(commas "$p_peak") | $(commas $((p_static + p_peak))) | $(commas "$p_pass") | $(commas "$p_walk") | $p_ratio |")
  echo "$t: the desktop-trained model evaluates to 100% on the device, checksum $sum; $p_walk instructions, $p_ratio times fewer than one pass a pair"
done

# Learning from a stream on the device (feature `latch`): the desktop example `latch` with its
# defaults (2-8-1, truncated BPTT over 5,000 windows of 4 steps, then 10,000 steps of a new
# stream run one step at a time), trained on each core, its stream state saved, wiped and
# restored half-way: the same bits as on the desktop, and what it costs.
cargo run --release --quiet --example latch -- --quiet --no-plot > "$out/desktop-latch.txt"
latch_loss=$(sed -n 's/^final loss (state carried): .*(bits \(0x[0-9a-f]*\))$/\1/p' "$out/desktop-latch.txt")
latch_sum=$(sed -n 's/^weights checksum (state carried): \(0x[0-9a-f]*\)$/\1/p' "$out/desktop-latch.txt")
[ -n "$latch_loss" ] && [ -n "$latch_sum" ] || fail "could not read the latch example's output"
latch_windows=5000
latch_steps=10000
latch_rows=()
doc_latch_rows=()
for t in $targets; do
  build "$t" release latch
  elf=$(elf_of "$t" release)
  log=$out/$t-latch
  count_run "$t" "$elf" "$log"
  grep -q "^saved the stream state (472 bytes) at window 2500, wiped it, restored it$" "$log.txt" \
    || fail "$t: no save/restore of the stream state half-way"
  grep -q "^a new stream (seed 2), one step at a time: $latch_steps/$latch_steps steps right$" "$log.txt" \
    || fail "$t: the latch is not learnt on the device"
  [ "$(loss_bits_of "$log.txt")" = "$latch_loss" ] || fail "$t: latch final loss bits differ from the desktop's $latch_loss"
  [ "$(checksum_of "$log.txt")" = "$latch_sum" ] || fail "$t: latch checksum differs from the desktop's $latch_sum"
  l_flash=$(flash_of "$elf")
  l_static=$(static_ram_of "$log.txt")
  l_peak=$(peak_stack_of "$log.txt")
  mapfile -t counts < <(marks_of "$log.insn")
  [ "${#counts[@]}" -ge 3 ] || fail "expected 3 marks in $log.insn"
  per_window=$(( (counts[1] - counts[0] + latch_windows / 2) / latch_windows ))
  per_step=$(( (counts[2] - counts[1] + latch_steps / 2) / latch_steps ))
  ms=$(awk -v n="$per_window" 'BEGIN {ms = n / 64e6 * 1e3; printf (ms < 10 ? "%.2f" : "%.1f"), ms}')
  latch_rows+=("| $(core "$t") | \`$t\` | $l_flash | $l_static | $l_peak | $((l_static + l_peak)) | $per_window | $ms | $per_step |")
  doc_latch_rows+=("| $(short_core "$t") | $(commas "$l_flash") | $(commas "$l_static") | $(commas "$l_peak") | $(commas $((l_static + l_peak))) | $(commas "$per_window") | $ms | $(commas "$per_step") |")
  echo "$t: the latch learnt on the device, the desktop's bits (checksum $latch_sum)"
done

# Adam and the binary cross-entropy on the device (feature adam): tanh, Xavier, biases,
# clipping at 1, Adam at 0.01, 2,000 iterations, its training state (version 2: the model, and
# Adam's settings, step count and two moments) saved, wiped and restored half-way: the same
# bits as the desktop example with the same flags, and what the optimiser's state costs.
adam_flags="--activation tanh --init xavier --biases --clip 1 --loss ce --optim adam --lr 0.01 --iters 2000"
# shellcheck disable=SC2086 # a list of flags
cargo run --release --quiet --example binary_addition -- --quiet --no-plot $adam_flags > "$out/desktop-adam.txt"
adam_loss=$(loss_bits_of "$out/desktop-adam.txt")
adam_sum=$(checksum_of "$out/desktop-adam.txt")
[ -n "$adam_loss" ] && [ -n "$adam_sum" ] || fail "could not read the Adam run of the desktop example"
adam_iterations=2000
adam_rows=()
for t in $targets; do
  build "$t" release adam
  elf=$(elf_of "$t" release)
  log=$out/$t-adam
  count_run "$t" "$elf" "$log"
  grep -q "^saved the training state ([0-9]* bytes) at iteration 1000, wiped it, restored it$" "$log.txt" \
    || fail "$t: no save/restore of the Adam training state half-way"
  [ "$(loss_bits_of "$log.txt")" = "$adam_loss" ] || fail "$t: Adam's final loss bits differ from the desktop's $adam_loss"
  [ "$(checksum_of "$log.txt")" = "$adam_sum" ] || fail "$t: Adam's checksum differs from the desktop's $adam_sum"
  a_state=$(sed -n 's/^saved the training state (\([0-9]*\) bytes).*/\1/p' "$log.txt")
  a_flash=$(flash_of "$elf")
  a_static=$(static_ram_of "$log.txt")
  a_peak=$(peak_stack_of "$log.txt")
  mapfile -t counts < <(marks_of "$log.insn")
  [ "${#counts[@]}" -ge 3 ] || fail "expected 3 marks in $log.insn"
  a_iter=$(( (counts[1] - counts[0] + adam_iterations / 2) / adam_iterations ))
  adam_rows+=("$t $a_flash $a_static $a_peak $a_iter $a_state")
  echo "$t: Adam and the cross-entropy trained on the device, the desktop's bits (checksum $adam_sum)"
done

profiles="release"
[ -n "${QUICK:-}" ] || profiles="release speed"
for profile in $profiles; do
  for t in $targets; do
    start "$t" "$profile"
  done
done
for profile in $profiles; do
  for t in $targets; do
    finish "$t" "$profile"
  done
done

# Fixed point on the device (feature fixed): the course's setup trained in integer arithmetic
# (tinyrnn::fixed), its training state saved, wiped and restored half-way, the bits of the
# desktop example fixed_point; beside the f32 build's release rows, and against the goals of
# issue 39 (Cortex-M0 at most 60,000 instructions per iteration, M3 and RV32IMAC 45,000; on the
# M0 at most 12 KiB of flash and 4 KiB of RAM). Reported, not enforced: the figures fall short.
cargo run --release --quiet --example fixed_point -- --quiet > "$out/desktop-fixed.txt"
fixed_loss_of() { sed -n 's/^final loss: .*(\(0x[0-9a-f]* 0x[0-9a-f]*\) in 2^-30)$/\1/p' "$1"; }
fixed_loss=$(fixed_loss_of "$out/desktop-fixed.txt")
fixed_sum=$(checksum_of "$out/desktop-fixed.txt")
[ -n "$fixed_loss" ] && [ -n "$fixed_sum" ] || fail "could not read the fixed_point example's output"
grep -q "^exact accuracy: 16384/16384 pairs" "$out/desktop-fixed.txt" || fail "the desktop's fixed-point run is not 100%"
fixed_rows=()
declare -A fx_flash fx_ram fx_iter
fixed_profiles="release"
[ -n "${QUICK:-}" ] || fixed_profiles="release speed"
for profile in $fixed_profiles; do
  for t in $targets; do
    build "$t" "$profile" fixed
    elf=$(elf_of "$t" "$profile")
    log=$out/$t-$profile-fixed
    count_run "$t" "$elf" "$log"
    grep -q "^saved the training state (1346 bytes) at iteration 5000, wiped it, restored it$" "$log.txt" \
      || fail "$t ($profile, fixed): no save/restore of the training state half-way"
    [ "$(fixed_loss_of "$log.txt")" = "$fixed_loss" ] || fail "$t ($profile, fixed): final loss bits differ from the desktop's $fixed_loss"
    [ "$(checksum_of "$log.txt")" = "$fixed_sum" ] || fail "$t ($profile, fixed): checksum differs from the desktop's $fixed_sum"
    f_flash=$(flash_of "$elf")
    f_static=$(static_ram_of "$log.txt")
    f_peak=$(peak_stack_of "$log.txt")
    f_ram=$((f_static + f_peak))
    mapfile -t counts < <(marks_of "$log.insn")
    [ "${#counts[@]}" -ge 3 ] || fail "expected 3 marks in $log.insn"
    f_iter=$(insns_per_iteration "$log.insn")
    f_walk=$(( counts[2] - counts[1] ))
    f_ms=$(awk -v n="$f_iter" 'BEGIN {ms = n / 64e6 * 1e3; printf (ms < 10 ? "%.2f" : "%.1f"), ms}')
    if [ "$profile" = release ]; then
      fx_flash[$t]=$f_flash fx_ram[$t]=$f_ram fx_iter[$t]=$f_iter
      ratio=$(awk -v f="${rel_iter[$t]}" -v x="$f_iter" 'BEGIN {printf "%.1f", f / x}')
    else
      ratio=""
    fi
    fixed_rows+=("| $(short_core "$t") | fixed point | $profile | $(commas "$f_flash") | $(commas "$f_static") | $(commas "$f_peak") | $(commas "$f_ram") | $(commas "$f_iter") | $f_ms | $ratio | $(commas "$f_walk") |")
    echo "$t ($profile): fixed point trained on the device, the desktop's bits (checksum $fixed_sum), $f_iter instructions/iteration"
  done
done

# The gated cells on the device (features gru, lstm): each learns the addition by exact BPTT
# (Xavier, biases, squared error, SGD at 0.5, 1,500 iterations) with the bits of the desktop
# example gated_cells; instructions per iteration against the Elman's (issue 40: a GRU at most
# 3.3 and an LSTM 4.4 times the Elman's on the Cortex-M4F). The GRU's training fits the Cortex-M0
# micro:bit's 16 KiB of RAM; the LSTM's does not, and runs on the same machine with the 32 KiB of
# an nRF51822-QFAC (memory/nrf51-qfac.x).
gated_rows=()
gated_iterations=1500
declare -A gt_iter gt_flash gt_loss gt_sum
gated_runs=()
for cell in gru lstm; do
  cargo run --release --quiet --example gated_cells -- --cell "$cell" --iters "$gated_iterations" --quiet \
    > "$out/desktop-$cell.txt"
  gt_loss[$cell]=$(loss_bits_of "$out/desktop-$cell.txt")
  gt_sum[$cell]=$(checksum_of "$out/desktop-$cell.txt")
  [ -n "${gt_loss[$cell]}" ] && [ -n "${gt_sum[$cell]}" ] || fail "could not read the gated_cells example's output ($cell)"
  grep -q "^exact: 16384/16384 pairs" "$out/desktop-$cell.txt" || fail "the desktop's $cell run is not 100%"
  for t in $targets; do
    build "$t" release "$cell"
    elf=$out/$t-release-$cell.elf
    cp "$(elf_of "$t" release)" "$elf"
    gt_flash[$t-$cell]=$(flash_of "$elf")
    qemu_extra=
    [ "$t-$cell" != thumbv6m-none-eabi-lstm ] || qemu_extra="-global nrf51-soc.sram-size=32768"
    # Each run goes on in the background, beside the next builds: QEMU takes one core.
    count_run "$t" "$elf" "$out/$t-release-$cell" &
    gated_runs+=("$!")
    qemu_extra=
  done
done
for pid in "${gated_runs[@]}"; do
  wait "$pid" || fail "a gated cell's firmware run failed (see above)"
done
for cell in gru lstm; do
  for t in $targets; do
    g_flash=${gt_flash[$t-$cell]}
    log=$out/$t-release-$cell
    grep -q " $gated_iterations iterations$" "$log.txt" || fail "$t ($cell): not the $gated_iterations iterations of the desktop's run"
    [ "$(loss_bits_of "$log.txt")" = "${gt_loss[$cell]}" ] || fail "$t ($cell): final loss bits differ from the desktop's ${gt_loss[$cell]}"
    [ "$(checksum_of "$log.txt")" = "${gt_sum[$cell]}" ] || fail "$t ($cell): checksum differs from the desktop's ${gt_sum[$cell]}"
    g_static=$(static_ram_of "$log.txt")
    g_peak=$(peak_stack_of "$log.txt")
    mapfile -t counts < <(marks_of "$log.insn")
    [ "${#counts[@]}" -ge 3 ] || fail "expected 3 marks in $log.insn"
    g_iter=$(( (counts[1] - counts[0] + gated_iterations / 2) / gated_iterations ))
    gt_iter[$t-$cell]=$g_iter
    ratio=$(awk -v e="${rel_iter[$t]}" -v g="$g_iter" 'BEGIN {printf "%.2f", g / e}')
    gated_rows+=("| $(short_core "$t") | ${cell^^} | $(commas "$g_flash") | $(commas "$g_static") | $(commas "$g_peak") | $(commas $((g_static + g_peak))) | $(commas "$g_iter") | $ratio | $(commas $((counts[2] - counts[1]))) |")
    echo "$t (release): $cell trained on the device, the desktop's bits (checksum ${gt_sum[$cell]}), $g_iter instructions/iteration"
  done
done

# BasicMotions learnt on the Cortex-M4F (feature motions, issue 41): a GRU 6-16-4 trained for
# 50 epochs on the 40 training series kept in flash, tested on the 40 test series; the code is
# the desktop's (examples/common/device.rs), and `classify --device` must print the same lines
# (loss and test accuracy every 10 epochs) and checksum. Instructions of one epoch (its
# training) and of one test pass; the build with `panic-check` must link too.
bash "$root/scripts/fetch-ucr.sh" > /dev/null
bm=$root/target/ucr/BasicMotions/BasicMotions
motions_data=$out/BasicMotions.trds
motions_epochs=50
cargo run --release --quiet --example classify -- --train "${bm}_TRAIN.ts" --test "${bm}_TEST.ts" \
  --epochs "$motions_epochs" --device "$motions_data" > "$out/desktop-motions.txt"
want_motions=$(grep -E "^(epoch [0-9]+ loss|weights checksum)" "$out/desktop-motions.txt")
[ -n "$want_motions" ] || fail "could not read classify --device's output"
m4=thumbv7em-none-eabihf
TINYRNN_MOTIONS=$motions_data build "$m4" release motions
mo_elf=$out/$m4-release-motions.elf
cp "$(elf_of "$m4" release)" "$mo_elf"
TINYRNN_MOTIONS=$motions_data build "$m4" release "motions panic-check" \
  || fail "the motions firmware keeps a panic path (see the link error above)"
mo_log=$out/$m4-release-motions
count_run "$m4" "$mo_elf" "$mo_log"
grep -q " $motions_epochs epochs of 40 series$" "$mo_log.txt" || fail "motions: not the desktop's $motions_epochs epochs"
[ "$(grep -E "^(epoch [0-9]+ loss|weights checksum)" "$mo_log.txt")" = "$want_motions" ] \
  || fail "motions: the firmware's epochs and checksum differ from classify --device's"
mo_flash=$(flash_of "$mo_elf")
mo_data=$(stat -c %s "$motions_data")
mo_static=$(static_ram_of "$mo_log.txt")
mo_peak=$(peak_stack_of "$mo_log.txt")
mo_ram=$((mo_static + mo_peak))
mapfile -t counts < <(marks_of "$mo_log.insn")
[ "${#counts[@]}" -ge 3 ] || fail "expected 3 marks in $mo_log.insn"
mo_epoch=$((counts[1] - counts[0]))
mo_test=$((counts[2] - counts[1]))
mo_acc=$(sed -n 's/^test accuracy: \(.*\)$/\1/p' "$mo_log.txt")
mo_sum=$(checksum_of "$mo_log.txt")
echo "$m4 (release): BasicMotions learnt on the device, test $mo_acc, the desktop's bits (checksum $mo_sum), $mo_epoch instructions/epoch"

# What printing one float through core::fmt would cost (feature fmt-float: the final loss with
# `{}`): the reason the firmware prints fixed-point integers.
fmt_rows=()
doc_fmt_rows=()
for t in $targets; do
  # The release build's flash as measured above (the ELF now is another feature's).
  plain=${rel_flash[$t]}
  build "$t" release fmt-float
  with_fmt=$(flash_of "$(elf_of "$t" release)")
  fmt_rows+=("| $(core "$t") | \`$t\` | $plain | $with_fmt | $((with_fmt - plain)) |")
  doc_fmt_rows+=("| $(short_core "$t") | $(commas "$plain") | $(commas "$with_fmt") | $(commas $((with_fmt - plain))) |")
done

{
  echo "| core (QEMU machine) | target | profile | flash (B) | static RAM (B) | peak stack (B) | total RAM (B) | instructions / training iteration | ms / iteration at 64 MHz, 1 instr/cycle | instructions / evaluation of all pairs | weights checksum |"
  echo "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
  printf '%s\n' "${rows[@]}"
} | tee "$out/table.md"
echo
echo "Inference only (feature pretrained, release): the embedded model, decoded at compile time, evaluated."
{
  echo "| core (QEMU machine) | target | flash (B) | static RAM (B) | peak stack (B) | total RAM (B) | instructions / inference pass | instructions / evaluation of all pairs | one pass a pair ÷ evaluation |"
  echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  printf '%s\n' "${inference_rows[@]}"
} | tee "$out/inference-table.md"
echo
echo "Learning the latch from a stream (feature latch, release): 5,000 windows of 4 steps, then 10,000 steps run."
{
  echo "| core (QEMU machine) | target | flash (B) | static RAM (B) | peak stack (B) | total RAM (B) | instructions / training window | ms / window at 64 MHz, 1 instr/cycle | instructions / step run |"
  echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  printf '%s\n' "${latch_rows[@]}"
} | tee "$out/latch-table.md"
echo
echo "Flash of the release firmware, and with its final loss printed through core::fmt (feature fmt-float)."
{
  echo "| core (QEMU machine) | target | flash (B) | with core::fmt float printing (B) | difference (B) |"
  echo "| --- | --- | ---: | ---: | ---: |"
  printf '%s\n' "${fmt_rows[@]}"
} | tee "$out/fmt-float-table.md"

# docs/footprint.md: the tables as it prints them, and the goals, from a full run only.
if [ -z "${QUICK:-}" ]; then
  block() { python3 "$root/scripts/docs_block.py" "$root/docs/footprint.md" "$1"; }
  signed() { if [ "$1" -ge 0 ]; then echo "+$(commas "$1")"; else echo "−$(commas "${1#-}")"; fi; }
  {
    echo "| core (QEMU machine) | profile | flash (B) | static RAM (B) | peak stack (B) | total RAM (B) | instructions / training iteration | ms / iteration at 64 MHz¹ | instructions / evaluation of all pairs² |"
    echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    printf '%s\n' "${doc_rows[@]}"
  } | block training
  {
    echo "| core | flash (B), the model included | static RAM (B) | peak stack (B) | total RAM (B) | instructions / inference pass | instructions / evaluation of all pairs² | one pass a pair ÷ evaluation |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    printf '%s\n' "${doc_inference_rows[@]}"
  } | block pretrained
  {
    echo "| core | flash (B) | static RAM (B) | peak stack (B) | total RAM (B) | instructions / training window (4 steps) | ms / window at 64 MHz¹ | instructions / step run² |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    printf '%s\n' "${doc_latch_rows[@]}"
  } | block latch
  {
    echo "| core | flash (B) | with one float printed through \`core::fmt\` (B) | difference (B) |"
    echo "| --- | ---: | ---: | ---: |"
    printf '%s\n' "${doc_fmt_rows[@]}"
  } | block fmt-float
  # The goals: the largest release build, the thinnest margins, the M4F's time.
  max_flash=0 max_ram=0 flash_margin=16384 ram_margin=6144 soft_lo="" soft_hi=""
  m4f=${rel_iter[thumbv7em-none-eabihf]}
  for t in $targets; do
    f=${rel_flash[$t]} r=${rel_ram[$t]}
    [ "$f" -gt "$max_flash" ] && max_flash=$f
    [ "$r" -gt "$max_ram" ] && max_ram=$r
    [ $((16384 - f)) -lt "$flash_margin" ] && flash_margin=$((16384 - f)) flash_core=$(short_core "$t")
    [ $((6144 - r)) -lt "$ram_margin" ] && ram_margin=$((6144 - r)) ram_core=$(short_core "$t")
    if [ "$t" != thumbv7em-none-eabihf ]; then
      ratio=$(( (rel_iter[$t] + m4f / 2) / m4f ))
      [ -z "$soft_lo" ] || [ "$ratio" -lt "$soft_lo" ] && soft_lo=$ratio
      [ -z "$soft_hi" ] || [ "$ratio" -gt "$soft_hi" ] && soft_hi=$ratio
    fi
  done
  {
    echo "- **Memory: met on all four cores.** The \`release\` builds take at most $(commas "$max_flash")"
    echo "  bytes of flash and $(commas "$max_ram") bytes of RAM; the thinnest margins are $(commas "$flash_margin") bytes"
    echo "  of flash on the $flash_core and $(commas "$ram_margin") bytes of RAM on the $ram_core."
    echo "- **Time: met.** $(commas "$m4f") instructions per training iteration on the Cortex-M4F, $(commas $((30000 - m4f)))"
    echo "  under the goal. The soft-float cores (M3, M0, RV32IMAC) take $soft_lo to $soft_hi times as many."
  } | block goals
  # Adam beside the course's SGD: what its two moments (two floats a parameter) and its
  # larger training state cost.
  {
    echo "| core | flash (B) | vs SGD | static RAM (B) | peak stack (B) | total RAM (B) | vs SGD | training state (B) | instructions / iteration | vs SGD | fits a micro:bit v1 (256 KiB flash, 16 KiB RAM) |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
    for row in "${adam_rows[@]}"; do
      read -r t a_flash a_static a_peak a_iter a_state <<< "$row"
      a_ram=$((a_static + a_peak))
      fits=$([ "$a_flash" -le 262144 ] && [ "$a_ram" -le 16384 ] && echo yes || echo no)
      echo "| $(short_core "$t") | $(commas "$a_flash") | $(signed $((a_flash - rel_flash[$t]))) | $(commas "$a_static") | $(commas "$a_peak") | $(commas "$a_ram") | $(signed $((a_ram - rel_ram[$t]))) | $(commas "$a_state") | $(commas "$a_iter") | $(signed $((a_iter - rel_iter[$t]))) | $fits |"
    done
  } | block adam
  # Fixed point beside f32 (release), and the issue's goals for it.
  {
    echo "| core | arithmetic | profile | flash (B) | static RAM (B) | peak stack (B) | total RAM (B) | instructions / training iteration | ms / iteration at 64 MHz¹ | f32 ÷ fixed point, instructions | instructions / evaluation of all pairs² |"
    echo "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    for t in $targets; do
      ms=$(awk -v n="${rel_iter[$t]}" 'BEGIN {ms = n / 64e6 * 1e3; printf (ms < 10 ? "%.2f" : "%.1f"), ms}')
      echo "| $(short_core "$t") | f32 | release | $(commas "${rel_flash[$t]}") | | | $(commas "${rel_ram[$t]}") | $(commas "${rel_iter[$t]}") | $ms | | |"
    done
    printf '%s\n' "${fixed_rows[@]}"
  } | block fixed
  # The gated cells beside the Elman network's course build (release).
  {
    echo "| core | cell | flash (B) | static RAM (B) | peak stack (B) | total RAM (B) | instructions / training iteration | ÷ the Elman's | instructions / evaluation of all pairs |"
    echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    for t in $targets; do
      echo "| $(short_core "$t") | Elman | $(commas "${rel_flash[$t]}") | | | $(commas "${rel_ram[$t]}") | $(commas "${rel_iter[$t]}") | 1 | |"
    done
    printf '%s\n' "${gated_rows[@]}"
  } | block gated
  m4=thumbv7em-none-eabihf
  {
    for pair in "gru 3.3" "lstm 4.4"; do
      read -r cell goal <<< "$pair"
      ratio=$(awk -v e="${rel_iter[$m4]}" -v g="${gt_iter[$m4-$cell]}" 'BEGIN {printf "%.2f", g / e}')
      met=$(awk -v r="$ratio" -v g="$goal" 'BEGIN {print (r <= g ? "met" : "NOT met")}')
      echo "- **${cell^^} on the Cortex-M4F: $met.** $(commas "${gt_iter[$m4-$cell]}") instructions per iteration, $ratio times the Elman's $(commas "${rel_iter[$m4]}") (goal: at most $goal)."
    done
  } | block gated-goals
  # BasicMotions on the Cortex-M4F, and the board it fits.
  s_epoch=$(awk -v n="$mo_epoch" 'BEGIN {printf "%.2f", n / 64e6}')
  {
    echo "| core | flash (B) | of which the data (B) | static RAM (B) | peak stack (B) | total RAM (B) | instructions / epoch (40 series) | s / epoch at 64 MHz¹ | instructions / test pass (40 series) | test accuracy (seed 1, $motions_epochs epochs) | weights checksum |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
    echo "| $(short_core "$m4") | $(commas "$mo_flash") | $(commas "$mo_data") | $(commas "$mo_static") | $(commas "$mo_peak") | $(commas "$mo_ram") | $(commas "$mo_epoch") | $s_epoch | $(commas "$mo_test") | $mo_acc | \`$mo_sum\` |"
  } | block motions
  {
    fits=$([ "$mo_flash" -le 524288 ] && [ "$mo_ram" -le 131072 ] && echo "fits" || echo "does NOT fit")
    total_s=$(awk -v n="$mo_epoch" -v e="$motions_epochs" 'BEGIN {printf "%.0f", n * e / 64e6}')
    echo "- **Board: it $fits an STM32F411** (512 KiB of flash, 128 KiB of RAM; the Nucleo-F411RE, the \"Black Pill\" F411CE): $(commas "$mo_flash") bytes of flash and $(commas "$mo_ram") of RAM."
    echo "- **Time:** $s_epoch s an epoch at 64 MHz, about $total_s s for the $motions_epochs epochs (one instruction a cycle)."
  } | block motions-board
  verdict() { if [ "$1" -le "$2" ]; then echo "met"; else echo "NOT met"; fi; }
  m0=thumbv6m-none-eabi m3=thumbv7m-none-eabi rv=riscv32imac-unknown-none-elf m4=thumbv7em-none-eabihf
  {
    echo "- **Time on the Cortex-M0: $(verdict "${fx_iter[$m0]}" 60000).** $(commas "${fx_iter[$m0]}") instructions per iteration (goal 60,000; f32 $(commas "${rel_iter[$m0]}"))."
    echo "- **Time on the Cortex-M3: $(verdict "${fx_iter[$m3]}" 45000).** $(commas "${fx_iter[$m3]}") (goal 45,000; f32 $(commas "${rel_iter[$m3]}"))."
    echo "- **Time on the RV32IMAC: $(verdict "${fx_iter[$rv]}" 45000).** $(commas "${fx_iter[$rv]}") (goal 45,000; f32 $(commas "${rel_iter[$rv]}"))."
    if [ "${fx_iter[$m4]}" -lt "${rel_iter[$m4]}" ]; then
      echo "- **Cortex-M4F: fixed point beats the FPU**, $(commas "${fx_iter[$m4]}") instructions against $(commas "${rel_iter[$m4]}")."
    else
      echo "- **Cortex-M4F: the FPU wins.** Fixed point takes $(commas "${fx_iter[$m4]}") instructions per iteration, f32 $(commas "${rel_iter[$m4]}")."
    fi
    echo "- **Memory on the Cortex-M0: flash $(verdict "${fx_flash[$m0]}" 12288), RAM $(verdict "${fx_ram[$m0]}" 4096).** $(commas "${fx_flash[$m0]}") bytes of flash (goal 12,288) and $(commas "${fx_ram[$m0]}") of RAM (goal 4,096), for the whole training firmware."
  } | block fixed-goals
fi
echo
echo "All firmware runs match the desktop (final loss bits $want_loss, checksum $want_sum)."
