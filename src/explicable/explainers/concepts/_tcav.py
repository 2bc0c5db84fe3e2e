"""Testing with Concept Activation Vectors (Kim et al., ICML 2018), written here: no files on disk."""

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping
from typing import Any, Self

import numpy as np
from scipy.stats import t as student_t
from threadpoolctl import threadpool_limits

from explicable.core.errors import InvalidDataError, InvalidParameterError, NotFittedError
from explicable.core.random import make_rng
from explicable.core.validation import check_choice, check_fraction, check_int, check_random_state
from explicable.explainers.concepts._network import LayerProbe, check_images
from explicable.explainers.concepts._result import TCAVResult

__all__ = ["TCAV"]

CLASSIFIERS = ("logistic", "sgd")
TESTS = ("ttest", "prediction")
_MIN_CONCEPT, _MIN_RANDOM = 4, 8


class TCAV:
    """How much does a human concept (images of it) push a model's output, at one layer?

    A concept activation vector (CAV) is the normal of a linear classifier separating the layer's
    activations of concept images from those of random images. The TCAV score of a concept for an output
    is the share of inputs whose output grows along the CAV (positive directional derivative, the gradient
    of the output with respect to the activations dotted with the CAV). A score means something only if it
    differs from chance: each concept gets ``n_random`` CAVs, each against a different random half of
    ``random_images``, and ``n_random`` random-vs-random CAVs (two fresh random sets each) give the null
    distribution. p-values are Bonferroni-corrected over the concepts.

    Two tests are offered. ``"ttest"`` is Kim et al.'s: a two-sided Welch t-test of the concept's scores
    against the random scores. Its repeats share the concept's one set of examples, so they are not
    independent draws of a concept set, and the test over-rejects: with a concept made of random images it
    rejected in 13% to 23% of 30 seeds at alpha = 0.05 on a toy colour model (measured here; the tests of
    this module build that model).
    ``"prediction"`` asks instead whether the concept's mean score lies outside what a single random set
    scores: ``|mean_c - mean_0| / (sd_0 sqrt(1 + 1/n_random))`` against Student's t with ``n_random - 1``
    degrees of freedom (a prediction interval), which holds its level when the concept's set is no different
    from random images, at some cost in power.

    Parameters
    ----------
    model : torch.nn.Module or TorchAdapter
        An image model. A plain module takes torch's (n, C, H, W); a
        :class:`~explicable.models.torch.TorchAdapter` builds the module's input (layout, device) itself.
    layer : str or torch.nn.Module, optional
        The layer whose activations (flattened) the CAVs live in: a name from ``named_modules()`` or the
        module; default the last convolution.
    n_random : int, default 10
        CAVs per concept, and random-vs-random CAVs (at least 2, for the t-test).
    classifier : {"logistic", "sgd"}, default "logistic"
        scikit-learn's ``LogisticRegression`` (L2, C = 1) or ``SGDClassifier`` (hinge loss, alpha = 0.01, as in
        the authors' code).
    test : {"prediction", "ttest"}, default "prediction"
        The significance test (see above): the prediction test by default, since Kim et al.'s t-test
        over-rejects.
    alpha : float, default 0.05
        Level of the (corrected) test.
    batch_size : int, default 64
        Images per forward/backward pass.
    random_state : int, optional
        Seed of the random splits and the SGD classifier (drawn and recorded when None).

    Attributes
    ----------
    concepts_ : tuple of str
    layer_name_ : str
    cavs_ : array (n_concepts, n_random, D)
        Unit-norm CAVs, pointing towards the concept.
    random_cavs_ : array (n_random, D)
    cav_accuracy_, random_cav_accuracy_ : arrays (n_concepts, n_random), (n_random,)
        Held-out accuracy (a third of each split) of the classifiers.

    References
    ----------
    Kim, B., Wattenberg, M., Gilmer, J., Cai, C., Wexler, J., Viegas, F. and Sayres, R. (2018).
    Interpretability Beyond Feature Attribution: Quantitative Testing with Concept Activation Vectors (TCAV).
    ICML.

    Examples
    --------
    >>> import numpy as np, torch
    >>> _ = torch.manual_seed(0)
    >>> red = torch.nn.Conv2d(3, 1, 1); red.weight.data[:] = torch.tensor([1.0, -1.0, -1.0]).view(1, 3, 1, 1)
    >>> model = torch.nn.Sequential(red, torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten())  # logit: redness
    >>> rng = np.random.default_rng(0)
    >>> noise = lambda n: rng.uniform(0, 1, (n, 4, 4, 3)).astype("float32")
    >>> reds = noise(20) * [1.0, 0.2, 0.2] + [0.8, 0, 0]
    >>> tcav = TCAV(model, n_random=10, random_state=0).fit({"red": reds}, noise(40))
    >>> result = tcav.explain(noise(30), target=0)
    >>> float(result.mean[0]), bool(result.significant[0])  # every input has the same gradient here, so a
    (1.0, False)
    >>> sorted(set(result.random_scores.ravel().tolist()))  # random direction scores 0 or 1 too: not significant
    [0.0, 1.0]
    """

    method = "tcav"

    def __init__(self, model: Any, *, layer: Any = None, n_random: int = 10, classifier: str = "logistic",
                 test: str = "prediction", alpha: float = 0.05, batch_size: int = 64,
                 random_state: int | None = None) -> None:
        self.n_random = check_int(n_random, "n_random", low=2)
        self.classifier = check_choice(classifier, "classifier", CLASSIFIERS)
        self.test = check_choice(test, "test", TESTS)
        self.alpha = check_fraction(alpha, "alpha")
        self.batch_size = check_int(batch_size, "batch_size", low=1)
        self.random_state = check_random_state(random_state)
        self.probe = LayerProbe(model, layer, self.batch_size)
        self.model = model

    def get_params(self) -> dict[str, Any]:
        return {"layer": self.probe.layer_name, "n_random": self.n_random, "classifier": self.classifier,
                "test": self.test, "alpha": self.alpha, "batch_size": self.batch_size}

    def fit(self, concepts: Mapping[str, Any], random_images: Any) -> Self:
        """Learn the concept CAVs and the random CAVs.

        Parameters
        ----------
        concepts : mapping of str to images (n_c, H, W, C)
            Examples of each concept (at least 4), the same size as the inputs to explain (the CAVs live in
            the flattened activations, whose size depends on the image size).
        random_images : images (N, H, W, C)
            The pool random examples are drawn from (at least 8). Each repeat splits it in two at random: the
            random CAV separates ``m = min(min_c n_c, N // 2)`` images of the first half from as many of the
            second; each concept's CAV separates ``min(n_c, N - N // 2)`` of its examples (subsampled when it
            has more) from as many of the same second half.

        Returns
        -------
        self
        """
        if not isinstance(concepts, Mapping) or not concepts:
            raise InvalidParameterError(parameter="concepts", expected="a non-empty mapping name -> images",
                                        got=concepts)
        rng, seed = make_rng(self.random_state)
        pool = self.probe.activations(_sized(random_images, "random_images", _MIN_RANDOM))
        acts = {str(name): self.probe.activations(_sized(images, f"concepts[{name!r}]", _MIN_CONCEPT))
                for name, images in concepts.items()}
        for name, a in acts.items():
            if a.shape[1] != pool.shape[1]:
                raise InvalidDataError(parameter=f"concepts[{name!r}]", expected="images of the random images' "
                                       f"size ({pool.shape[1]} activations at the layer)", got=f"{a.shape[1]}")
        # Each null CAV separates two fresh random sets, so the null's spread includes the set-to-set variation
        # a concept's own (single) set of examples carries; concepts are trained against the same draws.
        half = pool.shape[0] // 2
        m_random = min(min(a.shape[0] for a in acts.values()), half)
        cavs = np.zeros((len(acts), self.n_random, pool.shape[1]))
        accuracy = np.zeros((len(acts), self.n_random))
        random_cavs = np.zeros((self.n_random, pool.shape[1]))
        random_accuracy = np.zeros(self.n_random)
        # The classifiers are small (tens of rows): threaded BLAS only contends with torch's idle threads there.
        with threadpool_limits(limits=1, user_api="blas"):
            for r in range(self.n_random):
                order = rng.permutation(pool.shape[0])
                counterpart = order[half:]
                random_cavs[r], random_accuracy[r] = self._cav(pool[order[:m_random]], pool[counterpart[:m_random]],
                                                               rng)
                for c, a in enumerate(acts.values()):
                    m = min(a.shape[0], counterpart.size)
                    chosen = rng.permutation(a.shape[0])[:m]
                    cavs[c, r], accuracy[c, r] = self._cav(a[chosen], pool[counterpart[:m]], rng)
        self.concepts_ = tuple(acts)
        self.layer_name_ = self.probe.layer_name
        self.cavs_, self.cav_accuracy_ = cavs, accuracy
        self.random_cavs_, self.random_cav_accuracy_ = random_cavs, random_accuracy
        self.seed_ = seed
        return self

    def _cav(self, positive: np.ndarray, negative: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, float]:
        """Unit normal (towards ``positive``) of a linear classifier, and its accuracy on a held-out third."""
        train, test = [], []
        for rows in (positive, negative):
            order = rng.permutation(rows.shape[0])
            cut = max(1, rows.shape[0] - max(1, rows.shape[0] // 3))
            train.append(rows[order[:cut]])
            test.append(rows[order[cut:]])
        x_train, y_train = np.concatenate(train), np.repeat([1, 0], [len(train[0]), len(train[1])])
        x_test, y_test = np.concatenate(test), np.repeat([1, 0], [len(test[0]), len(test[1])])
        # The weights of an L2-penalised linear classifier lie in the span of its training rows (the loss sees
        # only X w, the penalty only grows off the span; SGD's steps from 0 stay in it too), so fitting on the
        # coordinates in that span (rank <= n, not D, which is often thousands) gives the same classifier.
        _, _, basis = np.linalg.svd(x_train, full_matrices=False)
        model = self._classifier(int(rng.integers(2**31 - 1)))
        with warnings.catch_warnings():
            # A separable pair of sets leaves the logistic weights growing; the direction is what is used.
            warnings.filterwarnings("ignore", message=".*(converge|max_iter).*")
            model.fit(x_train @ basis.T, y_train)
        coef = np.asarray(model.coef_, dtype="float64").reshape(-1) @ basis
        norm = float(np.linalg.norm(coef))
        accuracy = float((model.predict(x_test @ basis.T) == y_test).mean())
        return (coef / norm if norm > 0 else coef), accuracy

    def _classifier(self, seed: int) -> Any:
        if self.classifier == "logistic":
            from sklearn.linear_model import LogisticRegression

            return LogisticRegression(max_iter=2000)
        from sklearn.linear_model import SGDClassifier

        return SGDClassifier(alpha=0.01, max_iter=1000, tol=1e-3, random_state=seed)

    def explain(self, images: Any, *, target: str | int) -> TCAVResult:
        """TCAV scores of every fitted concept for output ``target`` on ``images``.

        Parameters
        ----------
        images : array (n, H, W, C)
            Inputs, usually images of the class ``target`` names (Kim et al. score a class on its own images).
        target : str or int
            The output: a name (when the model is an adapter with output names) or an index.

        Returns
        -------
        TCAVResult
        """
        if not hasattr(self, "cavs_"):
            raise NotFittedError("TCAV is not fitted: call fit(concepts, random_images) first")
        start = time.perf_counter()
        index, label = self._target(target)
        grads = self.probe.gradients(check_images(images, "images"), index)
        n_concepts = len(self.concepts_)
        # Score = share of inputs with a positive directional derivative along the CAV.
        scores = (np.einsum("nd,crd->ncr", grads, self.cavs_) > 0).mean(axis=0)
        random_scores = (grads @ self.random_cavs_.T > 0).mean(axis=0)
        test = _two_sided_p if self.test == "ttest" else _prediction_p
        p_values = np.array([test(scores[c], random_scores) for c in range(n_concepts)])
        parameters = {**self.get_params(), "elapsed_seconds": time.perf_counter() - start}
        return TCAVResult(concepts=self.concepts_, target=label, layer=self.layer_name_, scores=scores,
                          random_scores=random_scores, cav_accuracy=self.cav_accuracy_,
                          random_cav_accuracy=self.random_cav_accuracy_, p_values=p_values,
                          p_values_corrected=np.minimum(1.0, p_values * n_concepts), alpha=self.alpha,
                          n_inputs=int(grads.shape[0]), random_state=self.seed_, parameters=parameters)

    def _target(self, target: Any) -> tuple[int, str | int]:
        names = self.probe.output_names
        if isinstance(target, str):
            if names is None or target not in names:
                raise InvalidParameterError(parameter="target", expected="an output index, or one of the output "
                                            f"names {list(names) if names else '(the model has none)'}", got=target)
            return list(names).index(target), target
        if isinstance(target, bool) or not isinstance(target, (int, np.integer)) or target < 0:
            raise InvalidParameterError(parameter="target", expected="an output name or a non-negative index",
                                        got=target)
        label = names[int(target)] if names is not None and int(target) < len(names) else int(target)
        return int(target), label


def _sized(images: Any, name: str, minimum: int) -> np.ndarray:
    arr = check_images(images, name)
    if arr.shape[0] < minimum:
        raise InvalidDataError(parameter=name, expected=f"at least {minimum} images", got=arr)
    return arr


def _two_sided_p(concept: np.ndarray, random: np.ndarray) -> float:
    """Welch's two-sided t-test of equal means (as ``scipy.stats.ttest_ind(equal_var=False)``, written out so
    that a sample without spread, common when every input agrees, is exact and silent); with no spread in
    either sample, 1 if the means agree, else 0."""
    se2 = concept.var(ddof=1) / concept.size + random.var(ddof=1) / random.size
    diff = float(concept.mean() - random.mean())
    if se2 == 0:
        return 1.0 if diff == 0 else 0.0
    df = se2 ** 2 / ((concept.var(ddof=1) / concept.size) ** 2 / (concept.size - 1)
                     + (random.var(ddof=1) / random.size) ** 2 / (random.size - 1))
    return float(2 * student_t.sf(abs(diff) / np.sqrt(se2), df))


def _prediction_p(concept: np.ndarray, random: np.ndarray) -> float:
    """Two-sided p of the concept's mean score as one new draw from the random scores' distribution (the
    prediction-interval t statistic, ``n_random - 1`` degrees of freedom)."""
    spread = random.std(ddof=1) * np.sqrt(1 + 1 / random.size)
    diff = float(concept.mean() - random.mean())
    if spread == 0:
        return 1.0 if diff == 0 else 0.0
    return float(2 * student_t.sf(abs(diff) / spread, random.size - 1))
