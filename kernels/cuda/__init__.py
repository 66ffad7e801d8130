"""numba.cuda kernels, one module per family, twins of kernels/cpu. They take numba device
arrays and sizes and import nothing from torchlike. Importing a family module imports
numba.cuda, so torchlike loads them only when `torch.cuda.mode()` is 'gpu' or 'simulator'."""
