/* carta: Material's search worker, with the language's stemmer applied to what the reader
   types.  Material appends a wildcard to every word ("anziani" → "anziani*") and lunr does not
   stem a word with a wildcard, so an index stemmed for its language ("anziani" and "anziano"
   both → "anzian") would never match a whole word typed in full.  Here such a word is stemmed
   first ("anzian*"), with the index's own search pipeline.  Material's worker is the one named
   in ?material= (same folder as Material's, so that it finds its lunr-languages in ../lunr). */
(function () {
  var material = new URL(self.location.href).searchParams.get("material")
  importScripts("../workers/" + material)
  var lunr = self.lunr
  var pipeline = null
  var build = lunr.Builder.prototype.build
  lunr.Builder.prototype.build = function () {
    pipeline = this.searchPipeline  // the index's language, as Material configured it
    return build.apply(this, arguments)
  }
  var clause = lunr.Query.prototype.clause
  lunr.Query.prototype.clause = function (c) {
    var m = pipeline && typeof c.term === "string" && /^(\*?)([^*]+)(\*?)$/.exec(c.term)
    if (m && (m[1] || m[3])) {
      var stem = pipeline.runString(m[2])[0]
      if (stem) c.term = m[1] + stem + m[3]
    }
    return clause.apply(this, arguments)
  }
})()
