import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier


def test_model_learns_a_separable_signal() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 3))
    y = (x[:, 0] > 0).astype(int)
    model = HistGradientBoostingClassifier(random_state=0).fit(x, y)
    assert model.score(x, y) > 0.9
