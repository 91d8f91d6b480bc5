using Convolve.Faces.Evaluation;

namespace Convolve.Tests.Faces.Evaluation;

public class PairFileParserTests
{
    private static PairFile Parse(string text) => PairFileParser.Parse("pairs.txt", new StringReader(text));

    [Fact]
    public void View1_count_line_then_same_then_different()
    {
        PairFile file = Parse("2\nAaron_Peirsol\t1\t2\nAaron_Sorkin 3 4\nAJ_Cook\t1\tMarsha_Thomason\t1\nB 2 C 10\n\n");
        Assert.Equal((PairFileKind.SingleSplit, 1, 2, 2), (file.Kind, file.Folds, file.SameCount, file.DifferentCount));
        Assert.Equal(new LfwPair("Aaron_Peirsol", 1, "Aaron_Peirsol", 2, true, 0, 2), file.Pairs[0]);
        Assert.Equal(new LfwPair("B", 2, "C", 10, false, 0, 5), file.Pairs[3]);
        Assert.Equal(8, file.DistinctImages().Count);
    }

    [Fact]
    public void View2_folds_line_then_per_fold_same_then_different()
    {
        PairFile file = Parse("2\t1\nA\t1\t2\nA\t1\tB\t1\nC\t1\t3\nC\t2\tD\t4\n");
        Assert.Equal((PairFileKind.TenFold, 2), (file.Kind, file.Folds));
        Assert.Equal([(true, 0), (false, 0), (true, 1), (false, 1)], file.Pairs.Select(p => (p.Same, p.Fold)));
    }

    [Theory]
    [InlineData("2\nA 1 2\nB 1 2 3 4 5\nA 1 C 2\nB 1 D 5\n", "line 3: expected a same-person pair")]
    [InlineData("1\nA 1 2\nA 1 B\n", "line 3: expected a different-person pair")]
    [InlineData("1\nA x 2\nA 1 B 1\n", "line 2: expected an image number (a positive integer), got 'x'")]
    [InlineData("1\nA 0 2\nA 1 B 1\n", "line 2: expected an image number")]
    [InlineData("3\nA 1 2\nA 1 B 1\n", "line 1 announces 1 fold(s) of 3 same and 3 different pairs (6 pair lines), but the file has 2")]
    [InlineData("1\nA 1 2\n\nA 1 B 1\n", "line 3: blank line inside the pair list")]
    [InlineData("pairs 10 300\n", "line 1: expected a pair count")]
    [InlineData("ten\n", "line 1: expected the pair count")]
    [InlineData("\n\n", "the pair file is empty")]
    public void Malformed_lines_name_the_file_and_the_line(string text, string problem)
    {
        var e = Assert.Throws<InvalidInputException>(() => Parse(text));
        Assert.Equal("pairs.txt", e.Path);
        Assert.Contains(problem, e.Message);
        Assert.StartsWith("pairs.txt: ", e.Message);
    }

    [Fact]
    public void Missing_file_is_reported()
    {
        string path = Path.Combine(Path.GetTempPath(), "convolve-no-such-pairs.txt");
        var e = Assert.Throws<InvalidInputException>(() => PairFileParser.Parse(path));
        Assert.Equal(path, e.Path);
    }

    [Fact]
    public void Image_paths_follow_the_lfw_layout()
    {
        Assert.Equal(Path.Combine("/data/lfw", "Aaron_Peirsol", "Aaron_Peirsol_0001.jpg"), LfwLayout.ImagePath("/data/lfw", "Aaron_Peirsol", 1));
        var pair = new LfwPair("A_B", 12, "C_D", 345, false, 0, 2);
        Assert.Equal(Path.Combine("x", "C_D", "C_D_0345.jpg"), pair.PathB("x"));
    }

    [Theory]
    [InlineData("data/lfw-view1/pairsDevTrain.txt", 1100)]
    [InlineData("data/lfw-view1/pairsDevTest.txt", 500)]
    public void Published_view1_files_have_the_published_counts(string relative, int perClass)
    {
        string path = SharedData.Require(relative);
        PairFile file = PairFileParser.Parse(path);
        Assert.Equal((PairFileKind.SingleSplit, perClass, perClass), (file.Kind, file.SameCount, file.DifferentCount));
        Assert.All(file.Pairs.Where(p => p.Same), p => Assert.Equal(p.NameA, p.NameB));
        Assert.All(file.Pairs.Where(p => !p.Same), p => Assert.NotEqual(p.NameA, p.NameB));
        string images = Path.Combine(Path.GetDirectoryName(path)!, "images");
        if (Directory.Exists(images))
            Assert.All(file.Pairs.Take(20), p => Assert.True(File.Exists(p.PathA(images)) && File.Exists(p.PathB(images)), p.PathA(images)));
    }
}
