import { PartnerType } from '@puente/contracts';
import fc from 'fast-check';
import { PARTNER_TYPES } from '../common/enums';
import { followedPartner } from './followed-partner';

const comar = { partnerId: 'MX-COMAR', label: ' Comisión Mexicana de Ayuda a Refugiados ', country: 'MX', partnerType: PartnerType.GOVERNMENT_ASYLUM_AGENCY, active: true, version: 3 };
const partnerTypes = fc.constantFrom(...Object.values(PartnerType).filter((v): v is PartnerType => typeof v === 'number' && v !== PartnerType.UNSPECIFIED));

describe('the partner a PartnerChanged describes', () => {
  it('takes the label as the name (trimmed) and the partner type as its REST word', () => {
    expect(followedPartner(comar)).toEqual({ id: 'MX-COMAR', name: 'Comisión Mexicana de Ayuda a Refugiados', country: 'MX', partnerType: 'government_asylum_agency', active: true, version: 3 });
  });

  it('refuses what intake could not hold or a consent could not name', () => {
    expect(followedPartner({ ...comar, partnerId: '' })).toEqual({ refused: 'partner id' });
    expect(followedPartner({ ...comar, partnerId: 'MX COMAR' })).toEqual({ refused: 'partner id' });
    expect(followedPartner({ ...comar, label: '   ' })).toEqual({ refused: 'label' });
    expect(followedPartner({ ...comar, label: 'x'.repeat(201) })).toEqual({ refused: 'label' });
    expect(followedPartner({ ...comar, country: 'mx' })).toEqual({ refused: 'country' });
    expect(followedPartner({ ...comar, country: '' })).toEqual({ refused: 'country' });
    expect(followedPartner({ ...comar, partnerType: PartnerType.UNSPECIFIED })).toEqual({ refused: 'partner type' });
    expect(followedPartner({ ...comar, partnerType: 99 as PartnerType })).toEqual({ refused: 'partner type' });
    expect(followedPartner({ ...comar, version: 0 })).toEqual({ refused: 'version' });
    expect(followedPartner({ ...comar, version: 2 ** 31 })).toEqual({ refused: 'version' });
  });

  it('follows any well-formed partner as announced: a type consents accept, the same id, country, state and version (property)', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,40}$/),
        fc.string({ minLength: 1, maxLength: 200 }).filter((s) => s.trim().length > 0),
        fc.stringMatching(/^[A-Z]{2}$/),
        partnerTypes,
        fc.boolean(),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        (partnerId, label, country, partnerType, active, version) => {
          const row = followedPartner({ partnerId, label, country, partnerType, active, version });
          expect(row).toEqual({ id: partnerId, name: label.trim(), country, partnerType: expect.any(String), active, version });
          expect(PARTNER_TYPES).toContain((row as { partnerType: string }).partnerType);
        },
      ),
    );
  });
});
