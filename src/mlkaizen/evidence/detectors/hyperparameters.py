"""Training settings kept out of code: settings modules and configuration files that give
training hyperparameters, the split and the seed as literals (read by
:func:`~mlkaizen.evidence.detectors.reproducibility.params_file_present`)."""

from __future__ import annotations

import re

from mlkaizen.evidence.detectors.documents import ci_pipelines
from mlkaizen.evidence.findings import Finding
from mlkaizen.evidence.tree import RepoTree

# a Python module kept for training settings, by its name
_SETTINGS_MODULES = frozenset(
    {
        "config",
        "configs",
        "defaults",
        "hparams",
        "hyperparams",
        "hyperparameters",
        "params",
        "parameters",
        "settings",
        "constants",
    }
)
_HYPERPARAMETERS = (
    r"learning_rate|lr|batch_size|num_epochs|epochs|n_epochs|max_epochs|"
    r"hidden_units|hidden_size|num_layers|n_layers|dropout|weight_decay|momentum|"
    r"n_estimators|max_depth|num_leaves|min_child_weight|num_train_steps|warmup_steps|"
    r"max_steps|embedding_dim|num_boost_round|"
    # how the data is split and the run seeded, and the search's budget
    r"test_size|train_size|val_size|valid_size|validation_size|validation_split|test_split|"
    r"random_state|random_seed|seed|n_splits|n_folds|cv_folds|max_iter|subsample|"
    r"colsample_bytree|min_samples_split|min_samples_leaf|early_stopping_rounds|patience|"
    r"n_trials|num_trials|max_evals|"
    # boosted trees, transformers' trainer arguments, and a few more networks' sizes
    r"early_stopping|reg_alpha|reg_lambda|l2_leaf_reg|max_features|min_data_in_leaf|"
    r"feature_fraction|bagging_fraction|num_train_epochs|per_device_train_batch_size|"
    r"gradient_accumulation_steps|warmup_ratio|label_smoothing|max_seq_length|num_heads|"
    r"hidden_dim|n_neighbors"
)
_ASSIGNED = r"^[ \t]*(" + _HYPERPARAMETERS + r")\s*(?::[^=\n]+)?=\s*[-\d\[(.]"
# a key of the same names given a number (``learning_rate: 0.01``, ``"max_depth": 6,``)
_KEYED = r"^[ \t]*(?:- )?[\"']?(" + _HYPERPARAMETERS + r")[\"']?[ \t]*:[ \t]*[-\d.]"
_HYPERPARAMETER = re.compile(_ASSIGNED, re.I | re.M)


def hyperparameter_modules(tree: RepoTree) -> list[Finding]:
    """A settings module (``defaults.py``, ``config.py``, ``hparams.py``) that assigns at
    least two training settings as literals: hyperparameters (``LEARNING_RATE = 1e-4``,
    ``batch_size: int = 32``), the split and the seed (``TEST_SIZE = 0.2``,
    ``RANDOM_STATE = 42``), a search's budget: the values live in one reviewed place, not
    inline in code."""
    modules = [
        rel
        for rel in tree.with_suffix(".py")
        if rel.rsplit("/", 1)[-1][:-3].lower() in _SETTINGS_MODULES
    ]
    return _hyperparameters_in(tree, modules, _SETTING, "a settings module")


# in a YAML or JSON configuration file
_HYPERPARAMETER_KEY = re.compile(_KEYED, re.I | re.M)
_CONFIG_NAME = re.compile(r"(?i)(config|param|setting|train)")
# in a settings module: assigned (``LEARNING_RATE = 1e-4``) or a mapping's key on its own line
# (``PARAMS = {`` then ``"max_depth": 6,``)
_SETTING = re.compile(f"{_ASSIGNED}|{_KEYED}", re.I | re.M)
_CONFIG_FOLDERS = frozenset({"conf", "config", "configs"})  # a Hydra-style config group's folder


def hyperparameter_configs(tree: RepoTree) -> list[Finding]:
    """A YAML or JSON configuration file, named for it (``project_config.yaml``,
    ``train_settings.yml``, ``model_config.json``)
    or in a configuration folder (``conf/model/xgboost.yaml``), that gives at least two
    training hyperparameters numbers (``learning_rate: 0.01``,
    ``max_depth: 6``): the values are kept out of code, wherever the file lives. A CI
    pipeline's file (``.circleci/config.yml``) is not configuration of training."""
    candidates = [
        rel
        for rel in tree.with_suffix(".yaml", ".yml", ".json")
        if not rel.startswith(".github/")
        and (
            _CONFIG_NAME.search(rel.rsplit("/", 1)[-1])
            or _CONFIG_FOLDERS.intersection(rel.lower().split("/")[:-1])
        )
    ]
    if not candidates:
        return []
    pipes = ci_pipelines(tree)
    ci = {p.file for p in pipes} | {j.file for p in pipes for j in p.jobs if j.file}
    configs = [rel for rel in candidates if rel not in ci and not _model_file(tree, rel)]
    return _hyperparameters_in(tree, configs, _HYPERPARAMETER_KEY, "a configuration file")


def _model_file(tree: RepoTree, rel: str) -> bool:
    """A JSON file that is not training configuration: one neither named for it nor in a
    configuration folder (a run's ``trainer_state.json``), or a pretrained model's own
    ``config.json`` (its ``model_type``/``architectures``, shipped with its weights)."""
    if not rel.endswith(".json"):
        return False
    folders = _CONFIG_FOLDERS.intersection(rel.lower().split("/")[:-1])
    if not folders and not _JSON_CONFIG_NAME.search(rel.rsplit("/", 1)[-1]):
        return True
    text = tree.text(rel) or ""
    return '"model_type"' in text or '"architectures"' in text


_JSON_CONFIG_NAME = re.compile(r"(?i)(config|param|setting)")


def _hyperparameters_in(
    tree: RepoTree, files: list[str], pattern: re.Pattern[str], where: str
) -> list[Finding]:
    """A finding at each of ``files`` where ``pattern`` names two hyperparameters or more."""
    out: list[Finding] = []
    for rel in files:
        text = tree.text(rel) or ""
        names = {next(g for g in m.groups() if g).lower() for m in pattern.finditer(text)}
        if len(names) >= 2:
            first = pattern.search(text)
            line = text.count("\n", 0, first.start()) + 1 if first else 1
            out.append(
                tree.finding(
                    "params_file_present",
                    rel,
                    line,
                    f"hyperparameters kept in {where} ({', '.join(sorted(names))})",
                )
            )
    return out
