namespace Convolve.Faces;

/// <summary>An image holds no face the detector can find (none, or too small). Exit code 3.</summary>
public sealed class NoFaceFoundException : InvalidInputException
{
    /// <summary>Creates the error for the image at <paramref name="path"/>.</summary>
    public NoFaceFoundException(string? path)
        : base(path ?? "(image)", "no face found (faces smaller than about 1/20 of the longer side may be missed; try --detector ssd or a larger image)") { }
}

/// <summary>An image holds several faces where exactly one was expected and no face index was given. Exit code 3.</summary>
public sealed class AmbiguousFaceException : InvalidInputException
{
    /// <summary>Creates the error for the image at <paramref name="path"/> holding <paramref name="faceCount"/> faces.</summary>
    public AmbiguousFaceException(string? path, int faceCount)
        : base(path ?? "(image)", $"{faceCount} faces found; choose one with --face N (0 = highest detection score)")
    {
        FaceCount = faceCount;
    }

    /// <summary>How many faces the image holds.</summary>
    public int FaceCount { get; }
}
