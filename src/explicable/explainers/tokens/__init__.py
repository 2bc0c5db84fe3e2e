"""Token attributions of text classifiers (a :class:`~explicable.models.transformers.TextClassifier`).

- :class:`TokenIntegratedGradients`: Integrated Gradients on the word embeddings from a [MASK] (or [PAD])
  reference text, Gauss-Legendre, completeness measured and enforced per text (Sundararajan et al., 2017);
- :class:`TokenOcclusion`: the output drop when each token is replaced by [MASK] (exact);
- :func:`token_mask_model`: a text as a model of token keep-masks, for deletion curves;
- :func:`probe` / :func:`run_probes`: negation, sarcasm and contrast probes with their key words'
  attributions (:class:`ProbeResult`).

Text explanations have features ``t0, t1, ...`` (token positions, special tokens included, up to the longest
text), ``data`` the token strings ("" past a text's end) and ``provenance.parameters["n_tokens"]``. Needs the
``text`` extra (PyTorch, transformers).
"""

from explicable.explainers.tokens._integrated_gradients import TokenIntegratedGradients
from explicable.explainers.tokens._mask_model import token_mask_model
from explicable.explainers.tokens._occlusion import TokenOcclusion
from explicable.explainers.tokens._probes import ProbeResult, key_word_positions, probe, run_probes

__all__ = ["ProbeResult", "TokenIntegratedGradients", "TokenOcclusion", "key_word_positions", "probe",
           "run_probes", "token_mask_model"]
