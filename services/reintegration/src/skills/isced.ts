/**
 * Education levels of ISCED 2011 (UNESCO's International Standard Classification of Education),
 * level 0 (early childhood) to 8 (doctoral), as the codes `isced_0` … `isced_8`; `none` when the
 * person has no formal education.
 */
export const ISCED_LEVELS = {
  none: 'No formal education',
  isced_0: 'Early childhood education',
  isced_1: 'Primary education',
  isced_2: 'Lower secondary education',
  isced_3: 'Upper secondary education',
  isced_4: 'Post-secondary non-tertiary education',
  isced_5: 'Short-cycle tertiary education',
  isced_6: "Bachelor's or equivalent level",
  isced_7: "Master's or equivalent level",
  isced_8: 'Doctoral or equivalent level',
} as const;
export type IscedLevel = keyof typeof ISCED_LEVELS;
export const ISCED_LEVEL_CODES = Object.keys(ISCED_LEVELS) as IscedLevel[];

/**
 * ISIC Rev.4 sections (the UN's International Standard Industrial Classification): the sector of
 * a job held abroad, one letter.
 */
export const ISIC_SECTIONS = {
  A: 'Agriculture, forestry and fishing',
  B: 'Mining and quarrying',
  C: 'Manufacturing',
  D: 'Electricity, gas, steam and air conditioning supply',
  E: 'Water supply; sewerage, waste management and remediation activities',
  F: 'Construction',
  G: 'Wholesale and retail trade; repair of motor vehicles and motorcycles',
  H: 'Transportation and storage',
  I: 'Accommodation and food service activities',
  J: 'Information and communication',
  K: 'Financial and insurance activities',
  L: 'Real estate activities',
  M: 'Professional, scientific and technical activities',
  N: 'Administrative and support service activities',
  O: 'Public administration and defence; compulsory social security',
  P: 'Education',
  Q: 'Human health and social work activities',
  R: 'Arts, entertainment and recreation',
  S: 'Other service activities',
  T: 'Activities of households as employers',
  U: 'Activities of extraterritorial organizations and bodies',
} as const;
export type IsicSection = keyof typeof ISIC_SECTIONS;
export const ISIC_SECTION_CODES = Object.keys(ISIC_SECTIONS) as IsicSection[];
