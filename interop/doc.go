// Package interop holds end-to-end checks of icl against independent
// implementations in Python (run by its tests with /usr/bin/python3, Debian's
// python3-numpy, python3-sklearn, python3-torch and python3-yaml; the tests skip
// when these are missing):
//
//   - check_baselines.py recomputes every baseline of 'icl baselines' with
//     numpy and scikit-learn (least squares by numpy.linalg.lstsq, ridge by the
//     normal equations, lasso by sklearn's coordinate descent or LassoLars, the
//     Bayes predictors and the class posterior from batched SVDs) and reports
//     the largest relative errors against stated tolerances.
//   - torch_model.py is a PyTorch model written from docs/design.md's tensor table
//     alone; it loads a .safetensors export (parsed by hand) and compares its
//     predictions with 'icl predict' to 1e-4, and those of a model with a
//     family indicator (read_in (C, d+F)) with gpt's, given each prompt's
//     family in the prompts file.
//   - torch_stream.py runs that model and writes its hidden states after
//     every block at the x-tokens, and the read-out's input; the test holds
//     'icl probe”s streams equal to them to 1e-5.
//   - torch_train.py (by hand only: minutes) trains that module on dense
//     linear regression with Garg et al.'s initialisation, to compare icl's
//     learning curve with PyTorch's at the same sizes and learning rate;
//     with --precision bf16 under torch.autocast, to compare how far bf16
//     products move each (docs/pilot/dense_d5_*.yaml are icl's runs).
//
// Both scripts also run by hand, e.g.
//
//	icl sample -o p.npz && icl baselines -prompts p.npz -o b.npz
//	/usr/bin/python3 interop/check_baselines.py p.npz b.npz
package interop
