"""Names of ML libraries, shared by detectors that need "code that does ML" (not tool lists of
one practice, which stay with their detector)."""

from __future__ import annotations

# libraries that train models
TRAINING = frozenset(
    {
        "sklearn",
        "torch",
        "tensorflow",
        "keras",
        "xgboost",
        "lightgbm",
        "catboost",
        "transformers",
        "lightning",
        "pytorch_lightning",
        "statsmodels",
        "prophet",
        "sagemaker",
        "fastai",
        "jax",
        "flax",
    }
)
# libraries that load a trained model from a file or a registry
MODEL_LOADING = frozenset(
    {
        "joblib",
        "pickle",
        "cloudpickle",
        "dill",
        "torch",
        "skops",
        "onnxruntime",
        "mlflow",
        "tensorflow",
        "keras",
        "xgboost",
        "lightgbm",
        "catboost",
        "transformers",
        "sentence_transformers",
        "stable_baselines3",
        "ultralytics",
        "spacy",
        "tensorflow_hub",
        "llama_cpp",
        "vllm",
    }
)
# libraries evaluation code computes metrics with
EVALUATION = TRAINING | {"mlflow", "evaluate", "numpy", "pandas", "scipy", "torchmetrics"}
