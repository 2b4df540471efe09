# Copyright (c) 2026 skin_lesion_wss contributors
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#     http://www.apache.org/licenses/LICENSE-2.0
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.
"""The documentation's commands are run by tests (or say why they cannot be), and its numbers name their command.

Every command of README.md and docs/README.md (each line of a ``bash`` block, and inline code that is a whole
command) must match one entry of ``COMMANDS``, whose evidence is a test that runs that command (or the code path it
calls) on tiny data, the CI (``make test`` and its prerequisites), or the reason it cannot run here (real data, a
GPU). A new command without an entry, or an entry whose test is gone, fails.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCS = ("README.md", "docs/README.md")
NOT_HERE = "not run here: "
CI = "ci"

RELEASE = "tests/integration/test_release_bundle.py::"
SERVER = "tests/integration/test_monailabel_server.py::"
WORKFLOWS = "tests/integration/test_workflows.py::"
PAPER = "tests/integration/test_paper_profile.py::test_paper_configuration_trains_one_epoch"
MULTI = "tests/integration/test_multi_process.py::"


def bundle_run(*files: str, rest: str = "$") -> str:
    """The pattern of ``python -m monai.bundle run --config_file <files>`` followed by ``rest`` (a pattern)."""
    spec = files[0] if len(files) == 1 else '"[' + ",".join(f"'{name}'" for name in files) + ']"'
    return rf"python -m monai\.bundle run --config_file {re.escape(spec)}{rest}"


def torchrun(*files: str, rest: str = "$") -> str:
    """The pattern of ``torchrun`` on one machine running ``python -m monai.bundle run`` on ``files``."""
    launcher = r"torchrun --standalone --nnodes 1 --nproc_per_node \d+ -m monai\.bundle run"
    return launcher + bundle_run(*files, rest=rest).removeprefix(r"python -m monai\.bundle run")


C = "configs/"
RELEASED = "bundles/skin_lesion_wss/configs/"

# (regular expression a command matches, evidence): a test as path::function, CI, or NOT_HERE + why
COMMANDS: list[tuple[str, str]] = [
    (r"make demo$", "tests/integration/test_pipeline_main.py::test_every_stage_runs_and_table1_has_every_row"),
    (r"make test$", CI),
    (r"make test PYTEST_ARGS=\"-m slow\"$",
     "tests/integration/test_attention_quality.py::test_trained_attention_beats_centred_disk"),
    (r"make monailabel-env$", CI),
    (r"make bundle( ARGS=\".*\")?$",
     "tests/export/test_bundle_exporter.py::test_export_replaces_the_previous_release_and_removes_stale_temporaries"),
    (r"python -m monai\.bundle ckpt_export$", RELEASE + "test_torchscript_equals_the_eager_model_on_real_images"),
    (r"python scripts/run_pipeline\.py --seeds( \d+)+$",
     "tests/test_run_pipeline.py::test_each_training_seed_runs_the_plan_in_its_folder_on_the_same_data"),
    (r"make demo ARGS=\"--isic_dir .* --profile paper\"$",
     NOT_HERE + "ISIC 2018 is downloaded by users and the paper profile needs a GPU; " + PAPER),
    (bundle_run(C + "inference.yaml", C + "cpu_unet.yaml", rest=" --input_dir"),
     "tests/integration/test_pipeline_main.py::test_every_stage_runs_and_table1_has_every_row"),
    (bundle_run(C + "inference.yaml", rest=" --input_dir"),
     "tests/integration/test_inference_folder.py::test_one_mask_per_image_at_its_size"),
    (r"python -m monai\.bundle download --name skin_lesion_wss --url file://",
     RELEASE + "test_downloaded_bundle_segments_a_folder"),
    (bundle_run(RELEASED + "inference.yaml", rest=r" .*--output_dir \S+$"),
     RELEASE + "test_downloaded_bundle_segments_a_folder"),
    (bundle_run(RELEASED + "inference.yaml", rest=" .* --use_torchscript true$"),
     RELEASE + "test_downloaded_bundle_segments_a_folder"),
    (bundle_run(RELEASED + "inference_attention.yaml", rest=" "), RELEASE + "test_downloaded_bundle_maps_attention"),
    (bundle_run(RELEASED + "train.yaml", rest=" --finetune_datalist"),
     RELEASE + "test_downloaded_bundle_fine_tunes_from_pairs"),
    (r"make monailabel( STUDIES=.*)?$", SERVER + "test_info_lists_both_models_and_the_trainer"),
    (r"curl -X POST \"http://127\.0\.0\.1:8000/infer/lesion",
     SERVER + "test_lesion_masks_have_the_image_size_and_beat_the_centred_disk"),
    (r"curl -X PUT \"http://127\.0\.0\.1:8000/datastore/label",
     SERVER + "test_saved_labels_fine_tune_the_model_the_next_inference_uses"),
    (r"curl -X POST \"http://127\.0\.0\.1:8000/train/lesion",
     SERVER + "test_saved_labels_fine_tune_the_model_the_next_inference_uses"),
    (r"python scripts/prepare_data\.py isic ", "tests/data/test_bad_inputs.py::test_cli_prints_a_summary"),
    (r"python scripts/prepare_data\.py folder ",
     "tests/data/test_bad_inputs.py::test_cli_folder_writes_the_classification_datalist"),
    (bundle_run(C + "train_manifold.yaml", C + "cpu_manifold.yaml", C + "pretrain_trunk.yaml"),
     WORKFLOWS + "test_pretraining_writes_a_trunk_in_torchvision_names"),
    (bundle_run(C + "train_manifold.yaml", C + "cpu_manifold.yaml", C + "cpu_selfsup.yaml"),
     WORKFLOWS + "test_manifold_training_keeps_the_pretrained_trunk_and_learns_the_rest"),
    (bundle_run(C + "train_manifold.yaml", C + "cpu_manifold.yaml"),
     WORKFLOWS + "test_manifold_training_saves_a_loadable_model"),
    (bundle_run(C + "train_manifold.yaml", rest=r"( --datalist_dir \S+)?$"), PAPER),
    (bundle_run(C + "train_manifold.yaml", C + "ml_k1.yaml"), PAPER),
    (bundle_run(C + "train_manifold.yaml", C + "generate_proxy.yaml", C + "proxy_graphcut.yaml"),
     WORKFLOWS + "test_graph_cut_proxies_cover_every_image"),
    (bundle_run(C + "train_manifold.yaml", C + "generate_proxy.yaml", C + "inference_attention.yaml", rest=" "),
     WORKFLOWS + "test_attention_inference_writes_float_maps_of_a_datalist"),
    (bundle_run(C + "train_classifier.yaml"), PAPER),
    (bundle_run(C + "train_classifier.yaml", C + "generate_proxy.yaml", C + "proxy_gradcam.yaml"),
     WORKFLOWS + "test_gradcam_proxies_cover_every_image"),
    (bundle_run(C + "train_unet.yaml", rest=r" --run_name \S+$"), PAPER),
    (bundle_run(C + "evaluate.yaml"), WORKFLOWS + "test_evaluation_writes_table_and_figure"),
    (bundle_run(C + "train_unet.yaml", C + "train_deep_graph_cut.yaml", rest=r" --seed_source \S+$"), PAPER),
    (bundle_run(C + "train_unet.yaml", C + "cpu_unet.yaml", C + "train_deep_graph_cut.yaml",
                C + "cpu_deep_graph_cut.yaml"),
     WORKFLOWS + "test_deep_graph_cut_grows_its_supervision_beyond_the_seeds"),
    (r"python scripts/run_pipeline\.py --ablation$",
     "tests/test_run_pipeline.py::test_the_ablation_trains_each_variant_from_the_dcml_seeds_and_tables_them"),
    (torchrun(RELEASED + "train.yaml", RELEASED + "multi_gpu_train.yaml", rest=" --finetune_datalist"),
     RELEASE + "test_downloaded_bundle_fine_tunes_as_two_processes"),
    (torchrun(C + "train_unet.yaml", C + "multi_gpu_train.yaml", rest=" --run_name"),
     MULTI + "test_two_processes_train_the_weights_of_one_with_the_same_global_batch"),
    (torchrun(C + "train_manifold.yaml", C + "multi_gpu_train.yaml"),
     MULTI + "test_every_process_holds_the_same_clusters_and_its_own_batches"),
    (torchrun(C + "train_classifier.yaml", C + "multi_gpu_train.yaml", C + "multi_gpu_classifier.yaml"),
     MULTI + "test_the_other_trainings_run_as_two_processes"),
    (torchrun(C + "train_manifold.yaml", C + "pretrain_trunk.yaml", C + "multi_gpu_pretrain.yaml"),
     MULTI + "test_the_other_trainings_run_as_two_processes"),
    (torchrun(C + "train_unet.yaml", C + "train_deep_graph_cut.yaml", C + "multi_gpu_train.yaml"),
     MULTI + "test_the_deep_graph_cut_network_trains_as_two_processes_on_every_image"),
    (r"torchrun --nnodes 2 --node_rank 0 ",
     NOT_HERE + "one machine here, the same command on one node; "
     + MULTI + "test_two_processes_train_the_weights_of_one_with_the_same_global_batch"),
    (r"python scripts/run_pipeline\.py --profile paper --nproc \d+ --tracking configs/mlflow_tracking\.yaml$",
     NOT_HERE + "the paper profile needs GPUs, its stage commands are checked; "
     + "tests/test_run_pipeline.py::test_nproc_runs_every_training_under_torchrun_with_its_multi_process_overrides"),
    (r"mlflow ui --backend-store-uri sqlite:///output/mlruns\.db$",
     NOT_HERE + "a web server for a browser, its store is read back with MLflow's client; "
     + MULTI + "test_mlflow_tracking_logs_one_run_of_two_processes"),
    (r"tensorboard --logdir output$",
     NOT_HERE + "a web server for a browser, its images are read back with TensorBoard's reader; "
     + WORKFLOWS + "test_each_validation_shows_the_image_its_proxy_and_prediction_in_tensorboard"),
    (bundle_run(C + "train_unet.yaml", rest=" --tracking configs/mlflow_tracking\\.yaml$"),
     MULTI + "test_mlflow_tracking_logs_one_run_of_two_processes"),
    (bundle_run(C + "train_unet.yaml", rest=" --tracking mlflow$"),
     MULTI + "test_monais_own_mlflow_settings_track_a_training"),
]

_NUMBER = re.compile(r"(?<![\d.])\d+\.\d+(?![\d.])|\b\d+(\.\d+)? (s|min|MB|GB)\b")  # not versions
_INLINE_COMMAND = re.compile(r"`((?:make|python|curl|pytest) [^`]+)`")
_COMMAND_SPAN = re.compile(r"`[^`]*\b(make|python|curl|pytest)\b[^`]*`")


def documented_commands() -> list[tuple[str, str]]:
    """(document, command) for every non-comment line of every ``bash`` block (trailing comments removed) and every
    inline command but the bare ``python -m monai.bundle run``, each once per document."""
    commands: dict[tuple[str, str], None] = {}
    for document in DOCS:
        text = (REPO / document).read_text()
        blocks = re.findall(r"```bash\n(.*?)```", text, flags=re.S)
        for line in (line for block in blocks for line in block.splitlines()):
            command = re.sub(r"\s+#\s.*$", "", line).strip()
            if command and not command.startswith("#"):
                commands[document, command] = None
        for command in _INLINE_COMMAND.findall(re.sub(r"```.*?```", "", text, flags=re.S)):
            if command != "python -m monai.bundle run":
                commands[document, command] = None
    return list(commands)


def matching_entries(command: str) -> list[int]:
    return [index for index, (pattern, _) in enumerate(COMMANDS) if re.match(pattern, command)]


def test_the_documents_have_commands():
    assert {document for document, _ in documented_commands()} == set(DOCS)


@pytest.mark.parametrize("document, command", documented_commands())
def test_every_command_has_one_entry(document: str, command: str):
    assert len(matching_entries(command)) == 1, f"{document}: add one COMMANDS entry for: {command}"


@pytest.mark.parametrize("pattern, evidence", COMMANDS)
def test_every_entry_is_used_and_its_evidence_exists(pattern: str, evidence: str):
    assert any(re.match(pattern, command) for _, command in documented_commands()), f"unused entry {pattern}"
    if evidence == CI:  # .ci/run calls make test, which builds its prerequisites
        assert re.search(r"^make test$", (REPO / ".ci" / "run").read_text(), flags=re.M)
        makefile = (REPO / "Makefile").read_text()
        target = pattern.split()[1].rstrip("$")
        if target != "test":
            stamp = re.search(rf"^{target}: (\$\(\w+\))$", makefile, flags=re.M).group(1)
            assert stamp in re.search(r"^test: (.*)$", makefile, flags=re.M).group(1)
        return
    if evidence.startswith(NOT_HERE):
        evidence = evidence.rsplit("; ", 1)[-1]  # what a test does run of it
    path, function = evidence.split("::")
    assert re.search(rf"^def {function}\(", (REPO / path).read_text(), flags=re.M), f"{evidence} not found"


def test_every_readme_section_with_numbers_names_a_command():
    """A section (## heading) of README.md that reports measured numbers shows the command that produced them."""
    sections = re.split(r"^## ", (REPO / "README.md").read_text(), flags=re.M)[1:]
    for section in sections:
        if _NUMBER.search(section):
            assert "```bash" in section or _COMMAND_SPAN.search(section), f"no command in: {section.splitlines()[0]}"
