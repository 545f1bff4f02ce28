// The disease-test example of Bayes' theorem as gradbox computes it: P(disease | positive) by Bayes' rule,
// the natural frequencies of 1000 people, and a simulated population drawn by dist.Bernoulli (who is ill,
// then who tests positive given that) whose share of the ill among the positives approaches the rule's answer.
import { type Context, dist } from '../../src/index';
import { readAll } from '../shared/readback';

/** The natural-frequency grid's population. */
export const PEOPLE = 1000;

/** The test's numbers: exact probabilities, the grid's counts, and the simulated population's counts. */
export interface DiseaseNumbers {
  /** P(+) = sens prev + (1 - spec)(1 - prev). */
  pPositive: number;
  /** P(D | +) by Bayes' rule. */
  pDiseaseGivenPositive: number;
  /** P(D | -). */
  pDiseaseGivenNegative: number;
  /** 1 - specificity and 1 - prevalence, as the rule uses them. */
  falsePositiveRate: number;
  pWell: number;
  /** Of PEOPLE: ill and positive, ill and negative, well and positive, well and negative (whole people). */
  grid: { tp: number; fn: number; fp: number; tn: number; ill: number; well: number; positives: number };
  /** The ill among the grid's positives, tp / (tp + fp). */
  gridShare: number;
  /** The simulated population: its size, the positives and the ill among them. */
  simulated: { people: number; ill: number; positives: number; illPositives: number; share: number };
}

/**
 * Everything the disease panel shows, in one readback. `seed` fixes the simulated population; the tests are
 * drawn with another key (seed + 2^50) so they are independent of who is ill.
 */
export async function diseaseNumbers(
  gb: Context,
  prevalence: number,
  sensitivity: number,
  specificity: number,
  people: number,
  seed: number,
): Promise<DiseaseNumbers> {
  const r = await readAll(gb, () => {
    const [prev, sens, spec] = [gb.tensor(prevalence), gb.tensor(sensitivity), gb.tensor(specificity)];
    const falsePos = spec.neg().add(1);
    const illPos = sens.mul(prev); // P(D and +)
    const wellPos = falsePos.mul(prev.neg().add(1)); // P(no D and +)
    const pPos = illPos.add(wellPos);
    const illNeg = sens.neg().add(1).mul(prev); // P(D and -)
    // Natural frequencies: whole people, rounded first for the ill, then within each group.
    const ill = prev.mul(PEOPLE).round();
    const tp = ill.mul(sens).round();
    const fp = ill.neg().add(PEOPLE).mul(falsePos).round();
    // The simulation: who is ill, then each person's test with P(+) = sens if ill, 1 - spec if not.
    const isIll = new dist.Bernoulli(gb, { probs: prevalence }).sample([people], { seed });
    const positive = new dist.Bernoulli(gb, { probs: isIll.where(sens, falsePos) }).sample([], {
      seed: seed + 2 ** 50,
    });
    return {
      pPositive: pPos,
      pDiseaseGivenPositive: illPos.div(pPos),
      pDiseaseGivenNegative: illNeg.div(pPos.neg().add(1)),
      falsePositiveRate: falsePos,
      pWell: prev.neg().add(1),
      grid: gb.stack([
        tp,
        ill.sub(tp),
        fp,
        ill.neg().add(PEOPLE).sub(fp),
        ill,
        ill.neg().add(PEOPLE),
        tp.add(fp),
      ]),
      gridShare: tp.div(tp.add(fp)),
      sim: gb.stack([isIll.sum(), positive.sum(), positive.mul(isIll).sum()]),
      share: positive.mul(isIll).sum().div(positive.sum()),
    };
  });
  const [tp, fn, fp, tn, illInGrid, well, gridPositives] = r.grid;
  const [ill, positives, illPositives] = r.sim;
  return {
    pPositive: r.pPositive[0],
    pDiseaseGivenPositive: r.pDiseaseGivenPositive[0],
    pDiseaseGivenNegative: r.pDiseaseGivenNegative[0],
    falsePositiveRate: r.falsePositiveRate[0],
    pWell: r.pWell[0],
    grid: { tp, fn, fp, tn, ill: illInGrid, well, positives: gridPositives },
    gridShare: r.gridShare[0],
    simulated: { people, ill, positives, illPositives, share: r.share[0] },
  };
}
