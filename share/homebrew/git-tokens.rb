# Homebrew formula for git-tokens (macOS and Linux). Homebrew installs
# formulae from a tap only, so put this file in one:
#
#   brew tap-new <you>/tools
#   cp share/homebrew/git-tokens.rb "$(brew --repository <you>/tools)/Formula/"
#   brew install --HEAD <you>/tools/git-tokens
#
# and replace <owner> below with the git-tokens repository you use. For a
# release, add its tarball ("make dist") as url, with its sha256.
class GitTokens < Formula
  desc "What the AI tokens bought: coding assistants' usage per change"
  homepage "https://github.com/<owner>/git-tokens"
  license "MIT"
  head "https://github.com/<owner>/git-tokens.git", branch: "main"

  depends_on "asciidoctor" => :build
  depends_on "autoconf" => :build
  depends_on "automake" => :build
  depends_on "pkgconf" => :build
  depends_on "cjson"
  depends_on "libgit2"
  depends_on "sqlite"
  depends_on "zstd"

  # Opened at run time (dlopen) by the commands that talk HTTP, not
  # linked: keep it, no linkage check will ask for it.
  uses_from_macos "curl"

  def install
    system "autoreconf", "-fi" unless File.exist?("configure")
    system "./configure", "--disable-silent-rules",
           "--with-bash-completion-dir=#{bash_completion}",
           "--with-zsh-completion-dir=#{zsh_completion}",
           *std_configure_args
    system "make"
    system "make", "install"
  end

  test do
    assert_match "git-tokens version", shell_output("#{bin}/git-tokens --version")
    assert_path_exists share/"git-tokens/prices.json"
    system "git", "init", "-q", "repo"
    cd "repo" do
      system "git", "-c", "user.name=A", "-c", "user.email=a@example.com",
             "commit", "-q", "--allow-empty", "-m", "first"
      assert_match "total", shell_output("#{bin}/git-tokens report")
    end
  end
end
