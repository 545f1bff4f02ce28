# Writes sleep.json, the hypothesis-test demo's real data, from R's own copy (the datasets package).
# Run once: `Rscript make_data.R`; the demo reads only the JSON.
#   sleep.json: the extra hours of sleep of 10 patients under each of two drugs (Cushny and Peebles, 1905),
#   the data of Student's 1908 paper on the t distribution; x is drug 1, y drug 2, patient by patient.
data(sleep)
x <- sleep$extra[sleep$group == 1][order(sleep$ID[sleep$group == 1])]
y <- sleep$extra[sleep$group == 2][order(sleep$ID[sleep$group == 2])]
num <- function(v) paste(format(v, trim = TRUE, drop0trailing = TRUE), collapse = ",")
writeLines(c(
  "{",
  paste0('"source":"A. R. Cushny and A. R. Peebles (1905), The action of optical isomers II: hyoscines, ',
         'J. Physiology 32: 501-510; as used by Student (1908), The probable error of a mean, Biometrika 6: 1-25; ',
         'via R (datasets::sleep). Public domain.",'),
  '"unit":"extra hours of sleep",',
  paste0('"x":[', num(x), "],"),
  paste0('"y":[', num(y), "]"),
  "}"
), "sleep.json")
t <- t.test(x, y, paired = TRUE)
cat("paired t =", t$statistic, " df =", t$parameter, " p =", t$p.value, "\n")
