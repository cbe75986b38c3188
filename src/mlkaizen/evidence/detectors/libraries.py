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
        "pytorch_lightning",
        "lightning",
        "tflite_runtime",
        "fasttext",
    }
)
# libraries evaluation code computes metrics with
EVALUATION = TRAINING | {"mlflow", "evaluate", "numpy", "pandas", "scipy", "torchmetrics"}
# the calls that load a trained model (in the libraries of MODEL_LOADING)
MODEL_LOADS = (
    "joblib.load",
    "pickle.load",
    "pickle.loads",
    "cloudpickle.load",
    "dill.load",
    "torch.load",
    "torch.jit.load",
    "skops.io.load",
    "onnxruntime.InferenceSession",
    ".load_model",
    "tensorflow.keras.models.load_model",
    "keras.models.load_model",
    "keras.saving.load_model",
    "tensorflow.saved_model.load",
    "xgboost.Booster",
    "lightgbm.Booster",
    "catboost.CatBoost",
    ".from_pretrained",
    "transformers.pipeline",
    "sentence_transformers.SentenceTransformer",
    "mlflow.pyfunc.load_model",
    "mlflow.sklearn.load_model",
    "mlflow.pytorch.load_model",
    # reinforcement learning agents, vision and NLP pipelines, hub models, local LLMs
    *(f"stable_baselines3.{a}.load" for a in ("PPO", "A2C", "DQN", "SAC", "TD3", "DDPG")),
    "ultralytics.YOLO",
    "ultralytics.RTDETR",
    "spacy.load",
    "tensorflow_hub.load",
    "tensorflow_hub.KerasLayer",
    "torch.hub.load",
    "llama_cpp.Llama",
    "vllm.LLM",
    # a LightningModule restored from its checkpoint, an on-device or fastText model
    ".load_from_checkpoint",
    "tensorflow.lite.Interpreter",
    "tflite_runtime.interpreter.Interpreter",
)
