namespace Convolve.Training;

/// <summary>Indices into a batch of an anchor, a positive (same identity) and a negative (another identity).</summary>
public readonly record struct Triplet(int Anchor, int Positive, int Negative);

/// <summary>Indices into a batch of two samples and whether they show the same identity.</summary>
public readonly record struct LabeledPair(int First, int Second, bool Same);
